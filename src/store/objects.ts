/**
 * Object handlers: GET/HEAD (ranges, conditionals, response-* overrides), PUT (streamed to a
 * temp file, verified, committed atomically, optionally create-only or If-Match) and DELETE.
 * Every check that can refuse a PUT runs before `100 Continue` is sent, so a refused client
 * never sends its body.
 */
import { validateHeaderValue, type ServerResponse } from 'node:http';
import type { AuthResult } from './auth';
import type { UploadLimiter } from './limits';
import { S3Error, noSuchKey } from './errors';
import { sendEmpty, toHttpDate } from './http';
import { type ObjectMeta, encodeTrailer } from './layout';
import { checkReadConditions, parseRange } from './readreq';
import type { ObjectRepo } from './repo';
import type { StoreRequest } from './request';
import { sendFileRange } from './sendfile';
import { requestBody, writeTemp } from './writer';
import { MAX_PUT_BYTES, bodyChecks, storedHeaders, writeCondition } from './writereq';

const RESPONSE_OVERRIDES: readonly (readonly [string, string])[] = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

/** Sets the headers describing an object, applying signed response-* overrides. */
function setObjectHeaders(r: StoreRequest, res: ServerResponse, meta: ObjectMeta): void {
  const headers: Record<string, string> = { 'Content-Type': meta.contentType };
  for (const [name, value] of Object.entries(meta.headers)) headers[name] = value;
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const v = r.param(param);
    if (v === undefined) continue;
    try {
      validateHeaderValue(header, v);
    } catch {
      throw new S3Error('InvalidArgument', `Invalid value for the ${param} parameter.`, { extra: { ArgumentName: param } });
    }
    delete headers[header.toLowerCase()];
    headers[header] = v;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('ETag', `"${meta.etag}"`);
  res.setHeader('Last-Modified', toHttpDate(meta.mtime));
  res.setHeader('Accept-Ranges', 'bytes');
}

export async function getObject(repo: ObjectRepo, r: StoreRequest, res: ServerResponse, headOnly: boolean): Promise<void> {
  const key = r.key as string;
  if (r.has('partNumber')) throw new S3Error('NotImplemented', 'GET with partNumber is not supported by the embedded store.');
  const obj = await repo.open(r.bucket, key);
  if (!obj) throw noSuchKey(key);
  let handedOff = false;
  try {
    const { meta } = obj;
    checkReadConditions(r, meta);
    const range = parseRange(r.header('range'), meta.size);
    if (range.kind === 'unsatisfiable') {
      throw new S3Error('InvalidRange', 'The requested range is not satisfiable', {
        headers: { 'Content-Range': `bytes */${meta.size}` },
        extra: { RangeRequested: r.header('range') ?? '', ActualObjectSize: String(meta.size) },
      });
    }
    setObjectHeaders(r, res, meta);
    const start = range.kind === 'range' ? range.start : 0;
    const end = range.kind === 'range' ? range.end : meta.size - 1;
    res.statusCode = range.kind === 'range' ? 206 : 200;
    if (range.kind === 'range') res.setHeader('Content-Range', `bytes ${start}-${end}/${meta.size}`);
    res.setHeader('Content-Length', end - start + 1);
    // As S3: the kept checksum comes back only when asked for, and only for the whole object.
    if (meta.checksum && range.kind === 'none' && r.header('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
      res.setHeader(`x-amz-checksum-${meta.checksum.algorithm}`, meta.checksum.value);
      res.setHeader('x-amz-checksum-type', 'FULL_OBJECT');
    }
    if (headOnly || end < start) {
      res.end();
      return;
    }
    handedOff = true; // sendFileRange closes the handle, on end and on error
    await sendFileRange(obj.fh, start, end, res);
  } finally {
    if (!handedOff) await obj.fh.close();
  }
}

export async function putObject(repo: ObjectRepo, limiter: UploadLimiter, r: StoreRequest, auth: AuthResult, res: ServerResponse): Promise<void> {
  const key = r.key as string;
  if (r.headerValues('x-amz-copy-source').length > 0) throw new S3Error('NotImplemented', 'CopyObject is not supported by the embedded store.');
  const checks = bodyChecks(r, auth, MAX_PUT_BYTES);
  const { contentType, headers } = storedHeaders(r);
  const cond = await writeCondition(repo, r, key);

  const tmp = repo.newTempPath();
  const mtime = Math.floor(Date.now() / 1000) * 1000;
  let meta: ObjectMeta | undefined;
  // 100 Continue only now: every refusal above (and a full house: 503 SlowDown) went out without the body.
  await limiter.receive(r.req, res, r.expectContinue, () =>
    writeTemp(tmp, requestBody(r.req), checks, (w) => {
      // writeTemp verified the body against checks.checksum before this runs: it is kept, as S3 does.
      meta = { bucket: r.bucket, key, size: w.size, etag: w.md5.toString('hex'), mtime, contentType, headers, ...(checks.checksum && { checksum: checks.checksum }) };
      return encodeTrailer(meta);
    }, { ownedChunks: true }), // node's HTTP parser copies each body chunk into a buffer of its own
  );
  if (!meta) throw new Error('writeTemp returned without metadata');
  await repo.commit(tmp, meta, cond);
  res.setHeader('ETag', `"${meta.etag}"`);
  sendEmpty(res, 200);
}

export async function deleteObject(repo: ObjectRepo, r: StoreRequest, res: ServerResponse): Promise<void> {
  await repo.delete(r.bucket, r.key as string);
  sendEmpty(res, 204); // S3 answers 204 whether or not the key existed
}
