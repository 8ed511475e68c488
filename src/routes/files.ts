/**
 * The files routes: `METHOD <mount>/<key>` -> authenticate -> decide -> presign -> 307.
 *
 * The key comes from the raw request path through keyFromPath (decoded once), and exactly
 * that key is what the policy sees and what gets signed. The gateway never reads a body:
 * PUT checks headers only, and the server's checkContinue listener lets the 307 go out before
 * a client that asked `Expect: 100-continue` sends a byte. A GET also signs how storage must
 * answer (the type for passive extensions, attachment for the rest; src/content/serve-as.ts),
 * decided on the key alone. Plain node:http in and out: this is the hot path, so it does not go
 * through express (app.ts dispatches to it directly).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyIsEmpty, type BodyPlan } from '../body-uploads/plan';
import { serveAs, ServeModes } from '../content/serve-as';
import { discardUnwantedBody } from '../http/discard-body';
import { methodNotAllowed } from '../http/errors';
import { facts } from '../http/request-log';
import { Actions, type Action } from '../policy/types';
import type { Mount } from '../storage/mount';
import { ObjectOperations, type ObjectOperation } from '../storage/types';
import { authorize, objectKeyOf, presign, redirect, urlLifetime, type RouteContext } from './route-kit';
import { enforceUploadConstraints, readUploadHeaders, refuseRepeatedHeaders, signedUploadFields, type UploadRequest } from './upload-headers';

export const FILE_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'] as const;
const ALLOW = FILE_METHODS.join(', ');

const ROUTES: Readonly<Record<string, { action: Action; operation: ObjectOperation }>> = {
  GET: { action: Actions.read, operation: ObjectOperations.get },
  HEAD: { action: Actions.read, operation: ObjectOperations.head },
  PUT: { action: Actions.write, operation: ObjectOperations.put },
  DELETE: { action: Actions.delete, operation: ObjectOperations.delete },
};

const NO_BODY_PLAN: BodyPlan = { kind: 'none' };

export type FileHandler = (req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string) => Promise<void>;

/** @returns a handler for one request under a mount; `rawKeyPath` is the raw path below `<mount>/`. */
export function filesHandler(ctx: RouteContext): FileHandler {
  return async (req, res, mount, rawKeyPath) => {
    const method = req.method ?? '';
    const body = method === 'PUT' ? ctx.bodyUploads.plan(req, res) : NO_BODY_PLAN;
    if (body.kind !== 'stream') discardUnwantedBody(req, res, body.kind === 'drain' ? body.limits : undefined);
    if (body.kind === 'drain') facts(res).body = body.why === undefined ? 'drained' : `drained:${body.why}`;
    try {
      await answer(req, res, mount, rawKeyPath, method, body);
    } catch (err) {
      // A body that was to be streamed is read and dropped instead, so the client gets to read the error.
      if (body.kind === 'stream') discardUnwantedBody(req, res);
      throw err;
    }
  };

  async function answer(req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string, method: string, body: BodyPlan): Promise<void> {
    if (method === 'OPTIONS') {
      res.statusCode = 204;
      res.setHeader('Allow', ALLOW);
      res.end();
      return;
    }
    const route = ROUTES[method];
    if (!route) throw methodNotAllowed(FILE_METHODS);
    facts(res).action = route.action;

    const key = objectKeyOf(rawKeyPath, mount);
    let upload: UploadRequest | undefined;
    if (route.operation === ObjectOperations.put) {
      refuseRepeatedHeaders(req, ['content-type']);
      let headers = req.headers;
      if (body.kind === 'stream' && body.chunked && (await bodyIsEmpty(req))) {
        const { 'transfer-encoding': _chunked, ...rest } = headers;
        headers = { ...rest, 'content-length': '0' }; // an empty chunked body is a 0-byte upload
      }
      upload = readUploadHeaders(headers, mount.backend.requiredUploadHeaders);
    }

    const { constraints, at } = await authorize(ctx, req, res, route.action, key);
    if (upload) enforceUploadConstraints(upload, constraints);

    const signed = await presign(mount, {
      operation: route.operation,
      bucket: mount.bucket,
      key,
      expiresIn: urlLifetime(ctx, constraints),
      now: at,
      ...(upload && signedUploadFields(upload, constraints)),
      // What a browser may render from storage's origin: see src/content/serve-as.ts.
      ...(route.operation === ObjectOperations.get && serveAs(key, ServeModes.plain, { inlineActive: constraints.inlineActive === true })),
    });
    if (upload && body.kind === 'stream') {
      const headers = { ...mount.backend.requiredUploadHeaders, ...signed.headers };
      await ctx.bodyUploads.streamer.stream(req, res, { url: signed.url, headers, contentLength: upload.contentLength });
      return;
    }
    redirect(res, signed.url);
  }
}

/** The request target's path, still percent-encoded (absolute-form targets reduced to their path). */
export function rawPathOf(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path.startsWith('/')) return path;
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*)?/i.exec(path);
  return match?.[1] ?? '/';
}
