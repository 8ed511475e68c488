/**
 * URL tickets: one presigned request handed out as data instead of a 307, for a third party (a
 * processing service, a worker) that must read or write one object and never holds credentials.
 *
 *   POST <mount>/<key>?url   (or ?url=get)   needs `read`  -> a GET URL
 *   POST <mount>/<key>?url=head              needs `read`  -> a HEAD URL
 *   POST <mount>/<key>?url=put               needs `write` -> a PUT URL of unknown size
 *
 * Options: `?ttl=S` shortens the URL's life (never beyond the rule's `ttl` or the default
 * lifetime, nor SigV4's 7 days); for put, `X-Upload-Content-Type: T` and `If-None-Match: *`.
 * Or a JSON body `{ttl?, contentType?, createOnly?}` (a body field wins over the query/header).
 * Answer: 200 `{method, url, headers, expiresAt}`; `headers` are the ones the holder must send
 * as they are (signed, or required by the backend). `Accept: text/plain`: the URL alone.
 *
 * Unknown size: the PUT signs no Content-Length, so storage accepts any size (up to its own
 * single-PUT limit). That is only issued where the deciding rule has no `maxSize`: with one,
 * storage could not enforce it, so the answer is 411 `size_required` naming the limit (an upload
 * ticket with the size, `?upload`, is the way there; POST Object policies with
 * content-length-range do not exist here yet). `contentTypes` and `createOnly` apply as on a PUT:
 * the type is signed, `If-None-Match: *` too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError } from '../http/errors';
import { Actions, type Constraints } from '../policy/types';
import { ObjectOperations, type ObjectOperation, type PresignInput } from '../storage/types';
import { jsonObject, negotiate, objectKeyOf, presign, readSmallJson, sendBody, sendJson, authorize, urlLifetime, type MountRoute } from './route-kit';
import { enforceUploadConstraints, readUploadHeaders, signedUploadFields, type UploadRequest } from './upload-headers';

const OPERATIONS = { get: ObjectOperations.get, head: ObjectOperations.head, put: ObjectOperations.put } as const satisfies Record<string, ObjectOperation>;
type UrlMethod = keyof typeof OPERATIONS;

interface UrlRequest {
  readonly method: UrlMethod;
  /** Asked-for lifetime, seconds; absent: the rule's or the default. */
  readonly ttl?: number;
  /** put only (validated like a PUT's headers; its contentLength is a placeholder). */
  readonly upload?: UploadRequest;
}

export const urlTicket: MountRoute = async (ctx, req, res, mount, rawKeyPath, query) => {
  const key = objectKeyOf(rawKeyPath, mount);
  const asked = await readUrlRequest(req, res, query);
  const isPut = asked.method === 'put';
  const { constraints, at } = await authorize(ctx, req, res, isPut ? Actions.write : Actions.read, key);
  if (asked.upload) enforceUnknownSize(asked.upload, constraints);
  const signed = await presign(mount, {
    operation: OPERATIONS[asked.method],
    bucket: mount.bucket,
    key,
    expiresIn: Math.min(asked.ttl ?? Infinity, urlLifetime(ctx, constraints)),
    now: at,
    ...(asked.upload && unknownSizeFields(asked.upload, constraints)),
  });
  if (negotiate(req, ['application/json', 'text/plain']) === 'text/plain') {
    sendBody(res, 200, 'text/plain; charset=utf-8', `${signed.url}\n`);
    return;
  }
  const headers = isPut ? { ...mount.backend.requiredUploadHeaders, ...signed.headers } : signed.headers;
  sendJson(res, 200, { method: signed.method, url: signed.url, headers, expiresAt: signed.expiresAt.toISOString() });
};

/** What a PUT of unknown size signs: a PUT's fields without the (placeholder) length. */
function unknownSizeFields(upload: UploadRequest, constraints: Constraints): Omit<PresignInput, 'operation' | 'bucket' | 'key' | 'expiresIn' | 'now'> {
  const { contentLength: _unknown, ...fields } = signedUploadFields(upload, constraints);
  return fields;
}

/** A PUT's constraints, except that any maxSize refuses: storage could not enforce it without a signed length. */
function enforceUnknownSize(upload: UploadRequest, constraints: Constraints): void {
  if (constraints.maxSize !== undefined) {
    const message = `uploads here are limited to ${constraints.maxSize} bytes (the rule's maxSize), and a URL of unknown size cannot make storage enforce that: ask for an upload ticket with the size (POST ?upload with X-Upload-Length)`;
    throw new HttpError(411, 'size_required', message);
  }
  enforceUploadConstraints(upload, constraints);
}

async function readUrlRequest(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<UrlRequest> {
  const name = (query.get('url') ?? '').toLowerCase() || 'get';
  if (!Object.hasOwn(OPERATIONS, name)) throw badRequest('invalid_method', '?url= takes get, head or put');
  const method = name as UrlMethod;
  const body = await readSmallJson(req, res);
  const o = body === undefined ? {} : jsonObject(body, ['ttl', 'contentType', 'createOnly']);
  const ttl = parseTtl(o.ttl, query.get('ttl'));
  const contentType = o.contentType ?? header(req, 'x-upload-content-type');
  if (contentType !== undefined && typeof contentType !== 'string') throw badRequest('invalid_content_type', '"contentType" must be a string');
  if (o.createOnly !== undefined && typeof o.createOnly !== 'boolean') throw badRequest('invalid_json', '"createOnly" must be a boolean');
  const ifNoneMatch = o.createOnly === undefined ? header(req, 'if-none-match') : o.createOnly ? '*' : undefined;
  if (method !== 'put') {
    if (contentType !== undefined || ifNoneMatch !== undefined) throw badRequest('invalid_option', 'a content type or create-only applies to ?url=put only');
    return { method, ...(ttl !== undefined && { ttl }) };
  }
  // The PUT's own header checks (media type syntax, only "If-None-Match: *"), with a placeholder
  // length: nothing about the size is known or signed.
  const upload = readUploadHeaders({
    'content-length': '0',
    ...(contentType !== undefined && { 'content-type': contentType }),
    ...(ifNoneMatch !== undefined && { 'if-none-match': ifNoneMatch }),
  });
  return { method, upload, ...(ttl !== undefined && { ttl }) };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A JSON number, else the query's digits; whole seconds, at least 1 (the bounds cut it later). */
function parseTtl(fromJson: unknown, fromQuery: string | null): number | undefined {
  const value = fromJson !== undefined ? fromJson : fromQuery !== null && /^\d{1,15}$/.test(fromQuery) ? Number(fromQuery) : (fromQuery ?? undefined);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw badRequest('invalid_ttl', 'ttl must be a whole number of seconds, at least 1');
  return value;
}
