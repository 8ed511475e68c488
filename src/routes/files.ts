/**
 * The files routes: `METHOD <mount>/<key>` -> authenticate -> decide -> presign -> 307.
 *
 * The key and action come from request-target.ts (the raw path decoded once by keyFromPath),
 * and exactly that key is what the policy sees and what gets signed. PUT checks headers only,
 * and the server's checkContinue listener lets the 307 go out before a client that asked
 * `Expect: 100-continue` sends a byte; a body sent without asking is streamed to storage or
 * drained, as src/body-uploads/ plans it. A GET also signs how storage must
 * answer (the type for passive extensions, attachment for the rest; src/content/serve-as.ts),
 * decided on the key alone. Plain node:http in and out: this is the hot path, so it does not go
 * through express (app.ts dispatches to it directly).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyIsEmpty, type BodyPlan } from '../body-uploads/plan';
import { serveAs, ServeModes } from '../content/serve-as';
import { facts } from '../http/request-log';
import { discardUnwantedBody } from '../http/discard-body';
import { setSecurityHeaders, writeRedirect } from '../http/security-headers';
import type { Mount } from '../storage/mount';
import { ObjectOperations, type ObjectOperation } from '../storage/types';
import { FILE_METHODS, type RequestTarget } from './request-target';
import { authorizeTarget, presign, urlLifetime, type MountRoute, type RouteContext } from './route-kit';
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

const NO_BODY_PLAN: BodyPlan = { kind: 'none' };

/**
 * `GET|HEAD|PUT|DELETE <mount>/<key>`: decide, presign, 307; or, for a PUT whose client sends
 * the body without waiting (no Expect), stream the body to storage (src/body-uploads/). This
 * route reads or discards its own body (app.ts leaves it alone).
 */
export const objectRoute: MountRoute = async (ctx, req, res, mount, target) => {
  const operation = target.operation;
  if (operation === undefined) throw new Error('an object request without its operation'); // a routing bug
  const body = operation === ObjectOperations.put ? ctx.bodyUploads.plan(req, res) : NO_BODY_PLAN;
  if (body.kind !== 'stream') discardUnwantedBody(req, res, body.kind === 'drain' ? body.limits : undefined);
  if (body.kind === 'drain') facts(res).body = body.why === undefined ? 'drained' : `drained:${body.why}`;
  try {
    await answer(ctx, req, res, mount, target, operation, body);
  } catch (err) {
    // A body that was to be streamed is read and dropped instead, so the client gets to read the error.
    if (body.kind === 'stream') discardUnwantedBody(req, res);
    throw err;
  }
};

async function answer(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, target: RequestTarget, operation: ObjectOperation, body: BodyPlan): Promise<void> {
  facts(res).action = target.actions[0] as string; // logged even when the headers are refused before the decision
  let upload: UploadRequest | undefined;
  if (operation === ObjectOperations.put) {
    refuseRepeatedHeaders(req, ['content-type']);
    upload = readUploadHeaders(await putHeaders(req, body), mount.backend.requiredUploadHeaders);
  }

  const { constraints, at } = await authorizeTarget(ctx, req, res, target);
  if (upload) enforceUploadConstraints(upload, constraints);

  const signed = await presign(mount, {
    operation,
    bucket: mount.bucket,
    key: target.key,
    expiresIn: urlLifetime(ctx, constraints),
    now: at,
    ...(upload && signedUploadFields(upload, constraints)),
    // What a browser may render from storage's origin: see src/content/serve-as.ts.
    ...(operation === ObjectOperations.get && serveAs(target.key, ServeModes.plain, { inlineActive: constraints.inlineActive === true })),
  });
  if (upload && body.kind === 'stream') {
    setSecurityHeaders(res, facts(res).id); // the streamed answer is storage's, sent through setHeader
    const headers = { ...mount.backend.requiredUploadHeaders, ...signed.headers };
    await ctx.bodyUploads.streamer.stream(req, res, { url: signed.url, headers, contentLength: upload.contentLength });
    return;
  }
  writeRedirect(res, facts(res).id, signed.url);
}

/** A PUT's headers; an empty chunked body that was to be streamed is a 0-byte upload. */
async function putHeaders(req: IncomingMessage, body: BodyPlan): Promise<IncomingMessage['headers']> {
  if (body.kind !== 'stream' || !body.chunked || !(await bodyIsEmpty(req))) return req.headers;
  const { 'transfer-encoding': _chunked, ...rest } = req.headers;
  return { ...rest, 'content-length': '0' };
}

/** The request target's path, still percent-encoded (absolute-form targets reduced to their path). */
export function rawPathOf(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.startsWith('/')) return path;
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*)?/i.exec(path);
  return match?.[1] ?? '/';
}
