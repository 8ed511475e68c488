/**
 * The Git LFS wire format every LFS endpoint shares (git-lfs docs/api): the media type, the
 * bounded JSON body reader (`application/vnd.git-lfs+json` or `application/json`, a charset
 * parameter allowed), answers, and errors in LFS's own shape:
 *
 *   {"message": "...", "request_id": "<X-Request-Id>", "documentation_url": "<gateway>/openapi.json"}
 *
 * A 401 carries `LFS-Authenticate: Basic realm="signpost"` instead of `WWW-Authenticate` (LFS's
 * header, so a browser never pops up a password prompt); 429 and 503 keep `Retry-After`. Any
 * HttpError thrown below an LFS endpoint (authentication, policy, rate limit, storage) is
 * rendered this way; anything else is a bug: logged, 500, a generic message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toHttpError } from '../http/error-handler';
import { HttpError } from '../http/errors';
import { facts } from '../http/request-log';
import type { Logger } from '../log';
import { jsonObject, readSmallJson, sendBody } from '../routes/route-kit';

export const LFS_MEDIA_TYPE = 'application/vnd.git-lfs+json';
export const LFS_CHALLENGE = 'Basic realm="signpost"';
const ACCEPTED_BODY_TYPES = [LFS_MEDIA_TYPE, 'application/json'] as const;
/** Host headers a URL may be built from (as share links do). */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

/** An LFS error whose body carries more than the message (409 on create-lock carries the lock). */
export class LfsError extends HttpError {
  override readonly name = 'LfsError';
  constructor(
    statusCode: number,
    code: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(statusCode, code, message);
  }
}

export const validationError = (message: string): LfsError => new LfsError(422, 'validation_error', message);

/** The gateway's origin as the client reached it (for hrefs the client must call back), or undefined. */
export function originOf(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined || !HOST.test(host)) return undefined;
  // Behind a TLS-terminating front door (API Gateway, a load balancer) the socket is plain HTTP;
  // trusting the header is safe here: a forged one misdirects only the client that sent it.
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
  return `${tls ? 'https' : 'http'}://${host}`;
}

export function sendLfs(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, LFS_MEDIA_TYPE, JSON.stringify(value));
}

/** Reads a request's LFS JSON body (at most `limit` bytes; 413 beyond); undefined when there is none. */
export function readLfsJson(req: IncomingMessage, res: ServerResponse, limit: number): Promise<unknown> {
  return readSmallJson(req, res, limit, ACCEPTED_BODY_TYPES).catch((err: unknown) => {
    // LFS calls a body it cannot use a validation error.
    if (err instanceof HttpError && err.code === 'invalid_json') throw validationError(err.message);
    throw err;
  });
}

/** A JSON object of known fields (others refused, so typos are not silently ignored), or a 422. */
export function lfsObject(value: unknown, fields: readonly string[], what: string): Record<string, unknown> {
  try {
    return jsonObject(value, fields);
  } catch (err) {
    if (err instanceof HttpError) throw validationError(`${what}: ${err.message}`);
    throw err;
  }
}

/** `ref` as LFS sends it: absent, null, or `{"name": "refs/heads/..."}` (accepted, not used: locks are per repository). */
export function checkRef(ref: unknown): void {
  if (ref === undefined || ref === null) return;
  const o = lfsObject(ref, ['name'], 'ref');
  if (typeof o.name !== 'string') throw validationError('ref.name must be a string');
}

export function sendLfsError(req: IncomingMessage, res: ServerResponse, err: unknown, logger: Logger): void {
  const error = toHttpError(err, res, logger);
  const f = facts(res);
  f.errorCode = error.code;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) {
    if (name.toLowerCase() !== 'www-authenticate') res.setHeader(name, value);
  }
  if (error.statusCode === 401) res.setHeader('LFS-Authenticate', LFS_CHALLENGE);
  const origin = originOf(req);
  sendLfs(res, error.statusCode, {
    ...(error instanceof LfsError ? error.extra : {}),
    message: error.message,
    request_id: f.id,
    ...(origin !== undefined && { documentation_url: `${origin}/openapi.json` }),
  });
}
