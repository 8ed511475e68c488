/**
 * createApp: builds the gateway's request handler from configuration and its dependencies. It
 * does not listen (server.ts does, and lambda.ts wraps it), reads no environment and starts
 * nothing, so tests drive it with supertest and every entry point serves the same handler.
 *
 * Requests under a mount (the redirects: the hot path) are dispatched straight to the files
 * handler on plain node:http objects; express serves everything else (/healthz, 404s, and the
 * JSON endpoints), loaded when the first such request comes. Measured (BENCHMARKS.md): express's
 * own routing cost ~140 µs per request on the CI class of machine, more than the whole redirect's
 * work.
 *
 * Under a mount, routes/request-target.ts turns (method, path, query) into the endpoint, the
 * policy actions and the key (the same function `signpost policy explain` uses), and
 * routes/dispatch.ts names each endpoint's handler. The query string is parsed only when the
 * target has one, so the plain redirect path parses none.
 * Paths under `/lfs/` are the Git LFS server (src/lfs), on the mount `deps.lfs` names; explain
 * reads them through src/lfs/access.ts's table, as the LFS handlers do.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type express from 'express';
import { createBodyUploads, DEFAULT_BODY_UPLOADS, type BodyUploadOptions } from './body-uploads/plan';
import { anonymousOnly, type Authenticate } from './http/authenticate';
import { limitCallers } from './http/caller-limits';
import { cors } from './http/cors';
import { discardUnwantedBody } from './http/discard-body';
import { errorHandler, sendError, toHttpError } from './http/error-handler';
import { notFound } from './http/errors';
import type { Metrics } from './http/metrics';
import { bearerMatches, serveMetrics } from './http/metrics-endpoint';
import { publicUrlSource } from './http/public-url';
import { createRateLimiter, type RateLimitOptions } from './http/rate-limit';
import { requestLog } from './http/request-log';
import { setSecurityHeaders } from './http/security-headers';
import { isLfsPath, LFS_ROOT } from './lfs/paths';
import { createLfs, type LfsOption } from './lfs/route';
import type { Logger } from './log';
import { allowAll, type Decide } from './policy/types';
import { rawPathOf } from './routes/files';
import { NO_QUERY } from './routes/dispatch';
import { createCursorSealer } from './routes/listing-cursor';
import { ALL_FEATURES, type Features } from './config/features';
import { featureRoutes, uppyFeature, webFeature } from './routes/features';
import { healthRoute } from './routes/health';
import { OPENAPI, openapiRoute } from './routes/openapi';
import { documentedRequests } from './routes/openapi-headers';
import { Endpoints, mountFinder, requestTarget, type RequestTarget } from './routes/request-target';
import type { RouteContext } from './routes/route-kit';
import { createShareSigner } from './share/tokens';
import type { Mount } from './storage/mount';
import { UPPY_PATH, uppyHandler } from './uppy/handler';
import { webRoutes } from './web/route';

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
  /** The share-link signing key (`shareKey`); absent: random per start, so links die on restart. */
  readonly shareKey?: string;
  /** Prometheus metrics to count into; GET /metrics is served here only with `metricsToken` (http/metrics-endpoint.ts). */
  readonly metrics?: Metrics;
  readonly metricsToken?: string;
  readonly rateLimit?: RateLimitOptions;
  /** Where the built browser UI lives (default: `web` next to the bundle, i.e. dist/web). */
  readonly webDir?: string;
  /** PUT bodies sent without `Expect: 100-continue` (body-uploads/plan.ts); absent: the redirect with the default bounded drain. */
  readonly bodyUploads?: BodyUploadOptions;
  /** The Git LFS server at /lfs (src/lfs): which mount holds it (default: the first), or false for none. */
  readonly lfs?: LfsOption;
  /** Optional features; those turned off answer 501 (default: all on). */
  readonly features?: Features;
  /**
   * The base URL clients reach the gateway at, for share links (src/http/public-url.ts): a URL
   * (checked here), or a function for a base known only later (the server's listening address;
   * on Lambda, whatever the front door tells), returning an already normalized URL. Absent or
   * undefined: share links answer their path only. Never taken from request headers.
   */
  readonly publicUrl?: string | (() => string | undefined);
}

/** Everything express serves (all GET); the OpenAPI test checks each is documented. */
export const EXPRESS_ROUTES = [
  { method: 'GET', path: '/healthz', handler: healthRoute },
  { method: 'GET', path: '/openapi.json', handler: openapiRoute },
] as const;

export type App = RequestListener<typeof IncomingMessage, typeof ServerResponse>;

const LFS_PREFIX = `${LFS_ROOT}/`;

export function createApp(deps: AppDeps): App {
  const { logger } = deps;
  const authenticate = deps.authenticate ?? anonymousOnly;
  const limits = deps.rateLimit && limitCallers(createRateLimiter(deps.rateLimit), authenticate);
  const ctx: RouteContext = {
    decide: deps.decide ?? allowAll,
    authenticate: limits?.authenticate ?? authenticate,
    urlTtl: deps.urlTtl,
    now: deps.now ?? (() => new Date()),
    share: createShareSigner(deps.shareKey),
    publicUrl: publicUrlSource(deps.publicUrl),
    cursors: createCursorSealer(deps.shareKey),
    ...(limits && { limits }),
    ...(deps.metrics && { metrics: deps.metrics }),
    bodyUploads: createBodyUploads(deps.bodyUploads ?? DEFAULT_BODY_UPLOADS, logger),
  };
  const { metrics } = ctx;
  if (ctx.share.ephemeral) logger.info('share links and Uppy sessions are signed with a key generated at start: they stop working on restart (set SIGNPOST_SHARE_KEY to keep them)');
  const features = deps.features ?? ALL_FEATURES;
  const lfs = createLfs(ctx, deps.mounts, deps.lfs, logger, features.lfs);
  const routes = featureRoutes(features);
  const uppy = uppyFeature(features, () => uppyHandler(ctx, deps.mounts, deps.shareKey));
  // CORS allows what the OpenAPI document says clients send, and what a mount's storage requires on uploads (Azure's x-ms-blob-type).
  const documented = documentedRequests(OPENAPI);
  const applyCors = cors(deps.corsOrigins ?? [], { methods: documented.methods, requestHeaders: [...documented.requestHeaders, ...deps.mounts.flatMap((m) => Object.keys(m.backend.requiredUploadHeaders ?? {}))] });
  const logRequest = requestLog(logger);
  // Longest mount path first, so /files/archive wins over /files for its own paths.
  const findMount = mountFinder(deps.mounts);

  // express is required and built on the first request it serves, not here: loading it (with
  // body-parser, router, debug, ...) is a sizeable share of a Lambda cold start, whose first
  // request is almost always a redirect, which never touches express.
  let rest: express.Express | undefined;
  const restApp = (): express.Express => {
    if (rest) return rest;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
    const createExpress = require('express') as typeof express;
    rest = createExpress();
    rest.disable('x-powered-by');
    rest.set('etag', false);
    rest.set('trust proxy', false); // Location and decisions never depend on X-Forwarded-*
    for (const route of EXPRESS_ROUTES) rest.get(route.path, route.handler);
    if (metrics && deps.metricsToken !== undefined) {
      const allowed = bearerMatches(deps.metricsToken);
      rest.get('/metrics', serveMetrics(metrics, (req) => allowed(req.headers.authorization)));
    }
    // Without multipart, the page sends every file with one ticketed PUT (storage refuses > 5 GiB).
    const single = features.multipart ? {} : { multipartThreshold: Number.MAX_SAFE_INTEGER };
    rest.use(webFeature(features, () => webRoutes({ dir: deps.webDir ?? join(__dirname, 'web'), mounts: deps.mounts, ...single })));
    rest.use(() => {
      throw notFound();
    });
    rest.use(errorHandler(logger));
    return rest;
  };

  return (req, res) => {
    const f = logRequest(req, res);
    if (metrics) {
      const started = performance.now();
      res.once('finish', () => metrics.request(f.action, res.statusCode, (performance.now() - started) / 1000));
    }
    const url = req.url ?? '/';
    const path = rawPathOf(url);
    const onLfs = lfs !== undefined && isLfsPath(path);
    const found = onLfs ? undefined : findMount(path);
    const q = url.indexOf('?');
    const query = found && q !== -1 ? new URLSearchParams(url.slice(q + 1)) : null;
    let target: RequestTarget | undefined;
    let refused: unknown;
    if (found) {
      try {
        target = requestTarget(req.method ?? '', found.rawKeyPath, found.mount.prefix, query);
      } catch (err) {
        refused = err;
      }
    }
    // A plain object request sends the headers every answer carries with its 307 in one
    // writeHead (http/security-headers.ts), or on its error path below when it fails instead.
    const plain = target?.endpoint === Endpoints.object;
    if (!plain) setSecurityHeaders(res, f.id);
    if (applyCors(req, res)) return;
    if (onLfs) {
      void lfs(req, res, path.slice(LFS_PREFIX.length), new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
      return;
    }
    if (found) {
      if (target === undefined) {
        discardUnwantedBody(req, res);
        sendError(res, toHttpError(refused, res, logger));
        return;
      }
      // POST routes and the object route (a PUT's body may be streamed to storage) read or discard their own.
      if (req.method !== 'POST' && !plain) discardUnwantedBody(req, res);
      routes[target.endpoint](ctx, req, res, found.mount, target, query ?? NO_QUERY).catch((err: unknown) => {
        if (plain && !res.headersSent) setSecurityHeaders(res, f.id);
        sendError(res, toHttpError(err, res, logger));
      });
      return;
    }
    if (path === UPPY_PATH || path.startsWith(`${UPPY_PATH}/`)) {
      uppy(req, res, path, url).catch((err: unknown) => sendError(res, toHttpError(err, res, logger)));
      return;
    }
    restApp()(req, res);
  };
}
