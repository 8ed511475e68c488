/**
 * createApp: builds the express app from configuration and its dependencies. It does not
 * listen (server.ts does, and lambda.ts wraps it), reads no environment and starts nothing,
 * so tests drive it with supertest and every entry point serves the same app.
 */
import express, { type Express } from 'express';
import { anonymousOnly, type Authenticate } from './http/authenticate';
import { cors } from './http/cors';
import { errorHandler } from './http/error-handler';
import { notFound } from './http/errors';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import type { Logger } from './log';
import { allowAll, type Decide } from './policy/types';
import { filesRoute } from './routes/files';
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

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false); // Location and decisions never depend on X-Forwarded-*

  app.use(requestLog(deps.logger));
  app.use(securityHeaders);
  app.use(cors(deps.corsOrigins ?? []));
  app.get('/healthz', healthRoute);
  // Longest mount path first, so /files/archive wins over /files for its own paths.
  for (const mount of [...deps.mounts].sort((a, b) => b.path.length - a.path.length)) {
    app.use(
      filesRoute({
        mount,
        decide: deps.decide ?? allowAll,
        authenticate: deps.authenticate ?? anonymousOnly,
        urlTtl: deps.urlTtl,
        now: deps.now ?? (() => new Date()),
      }),
    );
  }
  app.use(() => {
    throw notFound();
  });
  app.use(errorHandler(deps.logger));
  return app;
}
