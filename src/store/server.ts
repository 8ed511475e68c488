/**
 * The HTTP front of the embedded store: node:http, one handler for `request` and for
 * `checkContinue` (so a PUT with `Expect: 100-continue` is authenticated and checked before
 * its body is invited), routing of path-style S3 requests, and start/close. No request can
 * crash the process: every handler promise is caught and answered (or the socket closed).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { authenticate, type AuthConfig, type AuthResult } from './auth';
import { getBucketLocation, headBucket, listBuckets, listObjectsV2 } from './bucket';
import { S3Error, toS3Error } from './errors';
import { preflight, sendError, setCommonHeaders } from './http';
import type { StoreLimits, UploadLimiter } from './limits';
import { multipartRoute } from './multipart';
import { deleteObject, getObject, putObject } from './objects';
import { isPostObject, postObject } from './post-object';
import type { ObjectRepo } from './repo';
import { type StoreRequest, newRequestId, parseRequest } from './request';
import { EMPTY_SHA256, UNSIGNED_PAYLOAD } from './sigv4';

export interface ServerContext {
  readonly repo: ObjectRepo;
  readonly auth: AuthConfig;
  readonly logger: Logger;
  readonly started: Date;
  readonly limits: StoreLimits;
  readonly uploads: UploadLimiter;
}

// Sub-resources that select another S3 operation; answering them as plain object/bucket
// requests would do the wrong thing silently, so they are refused with 501.
const OBJECT_SUBRESOURCES = ['acl', 'tagging', 'torrent', 'retention', 'legal-hold', 'attributes', 'restore', 'select', 'versionId', 'renameObject'];
const BUCKET_SUBRESOURCES = [
  'acl', 'cors', 'policy', 'versioning', 'lifecycle', 'tagging', 'website', 'logging', 'notification', 'replication',
  'encryption', 'object-lock', 'versions', 'delete', 'accelerate', 'analytics', 'inventory', 'metrics', 'ownershipControls',
  'publicAccessBlock', 'requestPayment', 'intelligent-tiering', 'policyStatus', 'session', 'metadataTable',
];

function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', `${what} is not supported by the embedded store.`);
}

function methodNotAllowed(): S3Error {
  return new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
}

async function route(ctx: ServerContext, r: StoreRequest, auth: AuthResult, res: ServerResponse): Promise<void> {
  const { method } = r;
  const sendsBody = method === 'PUT' || method === 'POST';
  if (!sendsBody && auth.payloadHash !== UNSIGNED_PAYLOAD && auth.payloadHash !== EMPTY_SHA256) {
    throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  if (r.bucket === '') {
    if (method === 'GET') return listBuckets(ctx.repo, ctx.started, res);
    throw methodNotAllowed();
  }
  if (!ctx.repo.hasBucket(r.bucket)) {
    throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { extra: { BucketName: r.bucket } });
  }
  if (r.key === null) {
    const sub = BUCKET_SUBRESOURCES.find((s) => r.has(s));
    if (sub !== undefined) throw notImplemented(`The bucket sub-resource '${sub}'`);
    if (r.has('uploads')) return multipartRoute(ctx.repo, ctx.uploads, r, auth, res);
    if (method === 'HEAD') return headBucket(ctx.auth.region, res);
    if (method === 'GET') {
      if (r.has('location')) return getBucketLocation(ctx.auth.region, res);
      if (r.param('list-type') === '2') return listObjectsV2(ctx.repo, r, res);
      throw notImplemented('ListObjects (v1); use ListObjectsV2 (list-type=2)');
    }
    if (['PUT', 'DELETE', 'POST'].includes(method)) throw notImplemented(`${method} on a bucket`);
    throw methodNotAllowed();
  }
  const sub = OBJECT_SUBRESOURCES.find((s) => r.has(s));
  if (sub !== undefined) throw notImplemented(`The object sub-resource '${sub}'`);
  if (r.has('uploads') || r.has('uploadId')) return multipartRoute(ctx.repo, ctx.uploads, r, auth, res);
  switch (method) {
    case 'GET':
      return getObject(ctx.repo, r, res, false);
    case 'HEAD':
      return getObject(ctx.repo, r, res, true);
    case 'PUT':
      return putObject(ctx.repo, ctx.uploads, r, auth, res);
    case 'DELETE':
      return deleteObject(ctx.repo, r, res);
    case 'POST':
      throw notImplemented('POST on an object without ?uploads or ?uploadId');
    default:
      throw methodNotAllowed();
  }
}

/** Handles one request; never rejects. */
export async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
  const started = process.hrtime.bigint();
  const requestId = newRequestId();
  let resource = '/';
  try {
    setCommonHeaders(res, requestId);
    if (req.method === 'OPTIONS') {
      preflight(req, res);
      return;
    }
    const r = parseRequest(req, requestId, expectContinue);
    resource = r.path;
    // A browser form upload carries its authorization in the form's signed policy, not the request.
    if (isPostObject(r)) return await postObject(ctx, r, res);
    const auth = authenticate(r, ctx.auth);
    await route(ctx, r, auth, res);
  } catch (err) {
    const e = toS3Error(err);
    if (e.code === 'InternalError' && !req.destroyed) ctx.logger.error({ err, requestId }, 'embedded store: internal error');
    sendError(req, res, e, resource, requestId);
  } finally {
    // Method, decoded path and status only: query strings carry signatures and are never logged.
    ctx.logger.debug(
      { requestId, method: req.method, path: resource, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
      'embedded store request',
    );
  }
}

export interface Listening {
  readonly server: http.Server;
  readonly port: number;
  /** Stops accepting; in-flight requests get `graceMs` to finish, then are cut (their temp files removed). */
  close(graceMs?: number): Promise<void>;
}

export async function listen(ctx: ServerContext, host: string, port: number): Promise<Listening> {
  const inflight = new Set<Promise<void>>();
  const track = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
    const p = handle(ctx, req, res, expectContinue);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  // requestTimeout 0: a multi-GB upload may legitimately take longer than node's 300 s default.
  // Upload bodies must keep moving instead (limits.ts), slow headers are cut by headersTimeout
  // (checked every second, not node's default 30 s), and idle sockets by the socket timeout below.
  const server = http.createServer({ requestTimeout: 0, headersTimeout: ctx.limits.headersTimeoutMs, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 });
  server.setTimeout(120_000);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => track(req, res, false));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => track(req, res, true));
  // Unparseable requests never reach a handler; answer them plainly and close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable && err.code !== 'ECONNRESET') socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => ctx.logger.error({ err }, 'embedded store: server error'));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close(graceMs = 2_000): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Give running requests a moment, then cut them: their temp files are removed as they fail.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...inflight]), grace]);
      server.closeAllConnections();
      await Promise.allSettled([...inflight]);
      await closed;
    },
  };
}
