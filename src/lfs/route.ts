/**
 * Entry point of the Git LFS server, called by createApp for every request under `/lfs/`:
 * `lfs.url = <gateway>/lfs/<repo>` (`<repo>` one or more segments, e.g. `acme/widgets`).
 *
 *   POST <repo>/objects/batch        batch.ts      (download = read, upload = write)
 *   POST <repo>/objects/verify       verify.ts     (the verify action's href)
 *   GET  <repo>/locks                locks.ts      POST <repo>/locks
 *   POST <repo>/locks/verify         locks.ts      POST <repo>/locks/<id>/unlock
 *
 * Every answer, errors included, is `application/vnd.git-lfs+json` in LFS's shape
 * (protocol.ts); a wrong method gets 405 with `Allow`, an unknown path 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardUnwantedBody } from '../http/discard-body';
import { methodNotAllowed } from '../http/errors';
import { facts } from '../http/request-log';
import type { Logger } from '../log';
import type { RouteContext } from '../routes/route-kit';
import type { Mount } from '../storage/mount';
import { batch } from './batch';
import { createLfsContext, type LfsContext } from './context';
import { createLock, listLocks, unlock, verifyLocks } from './locks';
import { LfsEndpoints, parseLfsPath, type LfsEndpoint } from './paths';
import { LfsError, sendLfsError } from './protocol';
import { verifyObject } from './verify';

type Handler = (ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string, extra: { query: URLSearchParams; lockId?: string }) => Promise<void>;

/** Per endpoint, per method; the OpenAPI test reads it. */
export const LFS_ROUTES: Readonly<Record<LfsEndpoint, Readonly<Record<string, Handler>>>> = {
  [LfsEndpoints.batch]: { POST: (ctx, lfs, req, res, repo) => batch(ctx, lfs, req, res, repo) },
  [LfsEndpoints.verifyObject]: { POST: (ctx, lfs, req, res, repo) => verifyObject(ctx, lfs, req, res, repo) },
  [LfsEndpoints.locks]: {
    GET: (ctx, lfs, req, res, repo, { query }) => listLocks(ctx, lfs, req, res, repo, query),
    POST: (ctx, lfs, req, res, repo) => createLock(ctx, lfs, req, res, repo),
  },
  [LfsEndpoints.verifyLocks]: { POST: (ctx, lfs, req, res, repo) => verifyLocks(ctx, lfs, req, res, repo) },
  [LfsEndpoints.unlock]: { POST: (ctx, lfs, req, res, repo, { lockId }) => unlock(ctx, lfs, req, res, repo, lockId!) },
};

export type LfsHandler = (req: IncomingMessage, res: ServerResponse, rest: string, query: URLSearchParams) => Promise<void>;

/** `rest`: the raw path after `/lfs/` (no query). Never rejects: every failure is answered. */
export function lfsHandler(ctx: RouteContext, lfs: LfsContext): LfsHandler {
  return async (req, res, rest, query) => {
    try {
      const target = parseLfsPath(rest);
      const methods = target.ok ? LFS_ROUTES[target.endpoint] : {};
      const handler = Object.hasOwn(methods, req.method ?? '') ? methods[req.method!] : undefined;
      // Handlers read (or refuse) their own JSON bodies; nothing else here wants one.
      if (!handler || req.method === 'GET') discardUnwantedBody(req, res);
      if (!target.ok) throw new LfsError(target.status, target.status === 404 ? 'not_found' : 'validation_error', target.message);
      if (!handler) throw methodNotAllowed(Object.keys(methods));
      facts(res).action = `lfs-${target.endpoint}`;
      await handler(ctx, lfs, req, res, target.repo, { query, ...(target.lockId !== undefined && { lockId: target.lockId }) });
    } catch (err) {
      sendLfsError(req, res, err, lfs.logger);
    }
  };
}

/** Which mount holds LFS: `false` turns LFS off; absent, the first mount (as config does by default). */
export type LfsOption = false | { readonly mount: string };

/** The handler for `deps.lfs`, or undefined when LFS is off. Throws on a mount that does not exist (a bug: config validates it). */
export function createLfs(ctx: RouteContext, mounts: readonly Mount[], option: LfsOption | undefined, logger: Logger): LfsHandler | undefined {
  if (option === false) return undefined;
  const mount = option === undefined ? mounts[0] : mounts.find((m) => m.path === option.mount);
  if (!mount) throw new Error(`lfs: no mount ${option === undefined ? '' : option.mount}`);
  return lfsHandler(ctx, createLfsContext(mount, logger));
}
