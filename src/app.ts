/**
 * createApp: builds the gateway's request handler from configuration and its dependencies. It
 * does not listen (server.ts does, and lambda.ts wraps it), reads no environment and starts
 * nothing, so tests drive it with supertest and every entry point serves the same handler.
 *
 * Requests under a mount (the redirects: the hot path) are dispatched straight to the files
 * handler on plain node:http objects; express serves everything else (/healthz, 404s, and the
 * JSON endpoints). Measured (BENCHMARKS.md): express's own routing cost ~140 µs per request on
 * the CI class of machine, more than the whole redirect's work.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import { anonymousOnly, type Authenticate } from './http/authenticate';
import { cors } from './http/cors';
import { errorHandler, sendError, toHttpError } from './http/error-handler';
import { notFound } from './http/errors';
import { logRequest } from './http/request-log';
import { setSecurityHeaders } from './http/security-headers';
import type { Logger } from './log';
import { allowAll, type Decide } from './policy/types';
import { filesHandler, rawPathOf } from './routes/files';
import { healthRoute } from './routes/health';
import type { Mount } from './storage/mount';

export interface AppDeps {
  readonly mounts: readonly Mount[];
  readonly logger: Logger;
  /** Default presigned URL lifetime, seconds. */
  readonly urlTtl: number;
  readonly decide?: Decide;
  readonly authenticate?: Authenticate;
  readonly corsOrigins?: readonly string[];
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
}

export type App = RequestListener<typeof IncomingMessage, typeof ServerResponse>;

export function createApp(deps: AppDeps): App {
  const { logger } = deps;
  const files = filesHandler({
    decide: deps.decide ?? allowAll,
    authenticate: deps.authenticate ?? anonymousOnly,
    urlTtl: deps.urlTtl,
    now: deps.now ?? (() => new Date()),
  });
  const applyCors = cors(deps.corsOrigins ?? []);
  // Longest mount path first, so /files/archive wins over /files for its own paths.
  const mounts = [...deps.mounts].sort((a, b) => b.path.length - a.path.length).map((m) => ({ mount: m, base: `${m.path}/` }));

  const rest = express();
  rest.disable('x-powered-by');
  rest.set('etag', false);
  rest.set('trust proxy', false); // Location and decisions never depend on X-Forwarded-*
  rest.get('/healthz', healthRoute);
  rest.use(() => {
    throw notFound();
  });
  rest.use(errorHandler(logger));

  return (req, res) => {
    logRequest(logger, req, res);
    setSecurityHeaders(res);
    if (applyCors(req, res)) return;
    const path = rawPathOf(req.url ?? '/');
    for (const { mount, base } of mounts) {
      if (path.startsWith(base) || path === mount.path) {
        files(req, res, mount, path.slice(base.length)).catch((err: unknown) => sendError(res, toHttpError(err, res, logger)));
        return;
      }
    }
    rest(req, res);
  };
}
