/**
 * What a write request (PUT, UploadPart, CompleteMultipartUpload) asks of the store, read from
 * its headers alone so it can be refused before `100 Continue`: the body's exact length and the
 * digests it must match, the metadata S3 keeps with the object, and the write condition
 * (If-None-Match: * to create only, If-Match to replace one version).
 */
import { validateHeaderValue } from 'node:http';
import type { AuthResult } from './auth';
import { S3Error, noSuchKey, preconditionFailed } from './errors';
import type { CommitCondition, ObjectRepo } from './repo';
import type { StoreRequest } from './request';
import { UNSIGNED_PAYLOAD } from './sigv4';
import type { BodyChecks } from './writer';

export const MAX_PUT_BYTES = 5 * 1024 ** 3; // S3's single-PUT limit
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_USER_META_BYTES = 2048;
const STORED_HEADERS = ['content-disposition', 'cache-control', 'content-encoding', 'content-language', 'expires'];

/** x-amz-checksum-* from a header or (presigned) a query parameter. */
function requestChecksum(r: StoreRequest): BodyChecks['checksum'] {
  const found: [string, string][] = [];
  for (const alg of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']) {
    const name = `x-amz-checksum-${alg}`;
    for (const v of [...r.headerValues(name), ...r.params.filter((p) => p.name === name).map((p) => p.value)]) found.push([alg, v]);
  }
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const [alg, value] = found[0] as [string, string];
  if (alg !== 'crc32' && alg !== 'sha1' && alg !== 'sha256') {
    throw new S3Error('NotImplemented', `The embedded store does not support x-amz-checksum-${alg}.`);
  }
  const bytes = { crc32: 4, sha1: 20, sha256: 32 }[alg];
  if (Buffer.from(value, 'base64').length !== bytes || !/^[A-Za-z0-9+/]+=*$/.test(value)) {
    throw new S3Error('InvalidRequest', `Value for x-amz-checksum-${alg} header is invalid.`);
  }
  return { algorithm: alg, value };
}

/** Validates Content-Length, digests and stored headers; everything a PUT body must satisfy. */
export function bodyChecks(r: StoreRequest, auth: AuthResult, maxBytes: number): BodyChecks {
  const cl = r.req.headers['content-length'];
  if (cl === undefined) throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  const length = Number(cl);
  if (!Number.isSafeInteger(length) || length < 0) throw new S3Error('InvalidArgument', 'Content-Length is invalid.');
  if (length > maxBytes) throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { extra: { ProposedSize: cl, MaxSizeAllowed: String(maxBytes) } });
  const md5 = r.header('content-md5');
  if (md5 !== undefined && (Buffer.from(md5, 'base64').length !== 16 || !/^[A-Za-z0-9+/]{22}==$/.test(md5))) {
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
  }
  const checksum = requestChecksum(r);
  return {
    length,
    ...(auth.payloadHash !== UNSIGNED_PAYLOAD ? { sha256: auth.payloadHash } : {}),
    ...(md5 !== undefined ? { contentMd5: md5 } : {}),
    ...(checksum ? { checksum } : {}),
  };
}

/** The metadata S3 keeps from a PUT (or CreateMultipartUpload) request. */
export function storedHeaders(r: StoreRequest): { contentType: string; headers: Record<string, string> } {
  // From headers, and from the query: a presigner hoists x-amz-meta-* into signed parameters.
  const raw = r.req.rawHeaders;
  const pairs: [string, string][] = r.params.map((p) => [p.name, p.value]);
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return { contentType: r.header('content-type') ?? DEFAULT_CONTENT_TYPE, headers: storedMetadata(pairs, (name) => r.header(name)) };
}

/** x-amz-meta-* from (name, value) pairs (at most 2 KB, repeated names joined) and the standard headers S3 stores. */
export function storedMetadata(pairs: Iterable<readonly [string, string]>, standard: (name: string) => string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  let metaBytes = 0;
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    if (!name.startsWith('x-amz-meta-')) continue;
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new S3Error('InvalidArgument', `Invalid value for ${name}.`);
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
    metaBytes += name.length - 'x-amz-meta-'.length + Buffer.byteLength(value);
  }
  if (metaBytes > MAX_USER_META_BYTES) throw new S3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.');
  for (const name of STORED_HEADERS) {
    const v = standard(name);
    if (v === undefined) continue;
    try {
      validateHeaderValue(name, v);
    } catch {
      throw new S3Error('InvalidArgument', `Invalid value for ${name}.`);
    }
    headers[name] = v;
  }
  return headers;
}

/** If-None-Match: * (create only) or If-Match (replace only that version), as S3 conditional writes. */
export async function writeCondition(repo: ObjectRepo, r: StoreRequest, key: string): Promise<CommitCondition> {
  const inm = r.header('if-none-match');
  const im = r.header('if-match');
  if (inm !== undefined && im !== undefined) throw new S3Error('NotImplemented', 'If-Match and If-None-Match cannot be combined on PUT.');
  if (inm !== undefined) {
    if (inm.trim() !== '*') throw new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', { extra: { Header: 'If-None-Match' } });
    if (await repo.stat(r.bucket, key)) throw preconditionFailed('If-None-Match'); // early; link(2) decides for real
    return { kind: 'absent' };
  }
  if (im !== undefined) {
    const tag = im.trim();
    if (!/^"[^"]*"$/.test(tag)) throw new S3Error('NotImplemented', 'If-Match on PUT takes one quoted ETag.', { extra: { Header: 'If-Match' } });
    const current = await repo.stat(r.bucket, key);
    if (!current) throw noSuchKey(key);
    if (`"${current.etag}"` !== tag) throw preconditionFailed('If-Match');
    return { kind: 'etag', etag: tag.slice(1, -1) };
  }
  return { kind: 'always' };
}
