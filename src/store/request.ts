/**
 * One parsed view of an incoming request, computed once and used by both auth and routing, so
 * the key that is authorized is exactly the key that is stored (one decoding of the path, never
 * two). Path-style only: /<bucket>/<key>. The key is the decoded path after the bucket's slash,
 * byte-exact (no '.'/'..' or '//' normalization, like S3).
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { S3Error } from './errors';
import { type QueryParam, decodeUtf8, parseQuery, percentDecode, uriEncodeBytes } from './sigv4';

export const MAX_KEY_BYTES = 1024;

export interface StoreRequest {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly requestId: string;
  /** Path as the signer saw it: decoded once, each byte re-encoded. */
  readonly canonicalUri: string;
  /** Decoded path, for error `Resource` elements. */
  readonly path: string;
  /** '' for the service root. */
  readonly bucket: string;
  /** null for bucket-level requests (`/bucket` or `/bucket/`). */
  readonly key: string | null;
  readonly params: readonly QueryParam[];
  /** True when the client waits for `100 Continue` before sending a body. */
  readonly expectContinue: boolean;
  has(param: string): boolean;
  param(name: string): string | undefined;
  /** All values of a header, in arrival order (from rawHeaders: duplicates are kept). */
  headerValues(name: string): readonly string[];
  header(name: string): string | undefined;
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function parseRequest(req: IncomingMessage, requestId: string, expectContinue: boolean): StoreRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  const pathBytes = percentDecode(rawPath);
  const path = pathBytes === null ? null : decodeUtf8(pathBytes);
  if (pathBytes === null || path === null) throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  const params = parseQuery(q < 0 ? '' : url.slice(q + 1));
  if (!params) throw new S3Error('InvalidArgument', 'The query string is malformed.');

  const slash = path.indexOf('/', 1);
  const bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  let key: string | null = slash < 0 ? null : path.slice(slash + 1);
  if (key === '') key = null;
  if (key !== null && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', 'Your key is too long');
  }

  const headers = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const list = headers.get(name);
    if (list) list.push(raw[i + 1] as string);
    else headers.set(name, [raw[i + 1] as string]);
  }
  const first = new Map<string, string>();
  for (const p of params) if (!first.has(p.name)) first.set(p.name, p.value);

  return {
    req,
    method: req.method ?? 'GET',
    requestId,
    canonicalUri: uriEncodeBytes(pathBytes, true),
    path,
    bucket,
    key,
    params,
    expectContinue,
    has: (name) => first.has(name),
    param: (name) => first.get(name),
    headerValues: (name) => headers.get(name) ?? [],
    header: (name) => headers.get(name)?.join(', '),
  };
}

/** The request carries a body we have not read yet (framing per RFC 9112: length or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  if (cl !== undefined) return cl !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}
