/**
 * The files routes: `METHOD <mount>/<key>` -> authenticate -> decide -> presign -> 307.
 *
 * The key and action come from request-target.ts (the raw path decoded once by keyFromPath),
 * and exactly that key is what the policy sees and what gets signed. The gateway never reads a body:
 * PUT checks headers only, and the server's checkContinue listener lets the 307 go out before
 * a client that asked `Expect: 100-continue` sends a byte. A GET also signs how storage must
 * answer (the type for passive extensions, attachment for the rest; src/content/serve-as.ts),
 * decided on the key alone. Plain node:http in and out: this is the hot path, so it does not go
 * through express (app.ts dispatches to it directly).
 */
import { serveAs, ServeModes } from '../content/serve-as';
import { facts } from '../http/request-log';
import { writeRedirect } from '../http/security-headers';
import { ObjectOperations } from '../storage/types';
import { FILE_METHODS } from './request-target';
import { authorizeTarget, presign, urlLifetime, type MountRoute } from './route-kit';
import { enforceUploadConstraints, readUploadHeaders, refuseRepeatedHeaders, signedUploadFields, type UploadRequest } from './upload-headers';

export { FILE_METHODS };
const ALLOW = FILE_METHODS.join(', ');

/** `OPTIONS <mount>/<anything>`: which methods a file answers (CORS preflights are answered before this). */
export const optionsRoute: MountRoute = (_ctx, _req, res) => {
  res.statusCode = 204;
  res.setHeader('Allow', ALLOW);
  res.end();
  return Promise.resolve();
};

/** `GET|HEAD|PUT|DELETE <mount>/<key>`: decide, presign, 307. */
export const objectRoute: MountRoute = async (ctx, req, res, mount, target) => {
  const operation = target.operation;
  if (operation === undefined) throw new Error('an object request without its operation'); // a routing bug
  facts(res).action = target.actions[0] as string; // logged even when the headers are refused before the decision
  let upload: UploadRequest | undefined;
  if (operation === ObjectOperations.put) {
    refuseRepeatedHeaders(req, ['content-type']);
    upload = readUploadHeaders(req.headers, mount.backend.requiredUploadHeaders);
  }

  const { constraints, at } = await authorizeTarget(ctx, req, res, target);
  if (upload) enforceUploadConstraints(upload, constraints);

  const { url } = await presign(mount, {
    operation,
    bucket: mount.bucket,
    key: target.key,
    expiresIn: urlLifetime(ctx, constraints),
    now: at,
    ...(upload && signedUploadFields(upload, constraints)),
    // What a browser may render from storage's origin: see src/content/serve-as.ts.
    ...(operation === ObjectOperations.get && serveAs(target.key, ServeModes.plain, { inlineActive: constraints.inlineActive === true })),
  });
  writeRedirect(res, facts(res).id, url);
};

/** The request target's path, still percent-encoded (absolute-form targets reduced to their path). */
export function rawPathOf(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.startsWith('/')) return path;
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*)?/i.exec(path);
  return match?.[1] ?? '/';
}
