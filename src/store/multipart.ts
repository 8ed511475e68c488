/**
 * Multipart upload handlers: CreateMultipartUpload (POST ?uploads), UploadPart (PUT
 * ?partNumber&uploadId, presigned or header-signed), ListParts (GET ?uploadId),
 * CompleteMultipartUpload (POST ?uploadId, XML body), AbortMultipartUpload (DELETE ?uploadId)
 * and ListMultipartUploads (GET /bucket?uploads). Part bodies follow the PUT path (checked
 * before 100 Continue, streamed to a temp file, verified, renamed); completion is atomic.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import type { AuthResult } from './auth';
import { S3Error } from './errors';
import { sendEmpty, sendXml } from './http';
import { type ObjectMeta, encodeTrailer } from './layout';
import type { UploadLimiter } from './limits';
import { MAX_PUT_BYTES, bodyChecks, storedHeaders, writeCondition } from './writereq';
import type { ObjectRepo } from './repo';
import type { StoreRequest } from './request';
import { UNSIGNED_PAYLOAD } from './sigv4';
import { type PartInfo, Uploads, concatParts, multipartEtag } from './uploads';
import { requestBody, writeTemp } from './writer';
import { S3_NS, el } from './xml';

const MIN_PART_BYTES = 5 * 1024 * 1024; // S3: every part but the last
const MAX_PARTS = 10000;
const MAX_XML_BYTES = 2 * 1024 * 1024;
const OWNER = `<Initiator>${el('ID', 'signpost')}${el('DisplayName', 'signpost')}</Initiator><Owner>${el('ID', 'signpost')}${el('DisplayName', 'signpost')}</Owner>`;
const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Part' });

function parsePartNumber(v: string | undefined): number {
  const n = v !== undefined && /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_PARTS)) throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { extra: { ArgumentName: 'partNumber' } });
  return n;
}

/**
 * Reads a small request body (the Complete XML), enforcing size and any signed digest. Small but
 * not quick by itself: it takes an upload slot and is paced like any body (limits.ts), so a
 * trickled XML cannot hold a connection open.
 */
async function readSmallBody(limiter: UploadLimiter, r: StoreRequest, auth: AuthResult, res: ServerResponse): Promise<Buffer> {
  const cl = Number(r.req.headers['content-length'] ?? 0);
  if (cl > MAX_XML_BYTES) throw new S3Error('MaxMessageLengthExceeded', 'Your request was too big.');
  const body = await limiter.receive(r.req, res, r.expectContinue, async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of r.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_XML_BYTES) throw new S3Error('MaxMessageLengthExceeded', 'Your request was too big.');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  });
  if (auth.payloadHash !== UNSIGNED_PAYLOAD && createHash('sha256').update(body).digest('hex') !== auth.payloadHash) {
    throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const md5 = r.header('content-md5');
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  return body;
}

/** The (PartNumber, ETag) list of a CompleteMultipartUpload document. */
function parseCompleteXml(body: Buffer): { partNumber: number; etag: string }[] {
  const text = body.toString('utf8');
  const malformed = new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw malformed; // no entity expansion tricks
  let doc: unknown;
  try {
    doc = xml.parse(text);
  } catch {
    throw malformed;
  }
  const root = (doc as { CompleteMultipartUpload?: { Part?: unknown } } | undefined)?.CompleteMultipartUpload;
  const parts = root?.Part;
  if (!Array.isArray(parts) || parts.length === 0) throw malformed;
  return parts.map((p: unknown) => {
    const { PartNumber, ETag } = (p ?? {}) as { PartNumber?: unknown; ETag?: unknown };
    if (typeof PartNumber !== 'string' || typeof ETag !== 'string') throw malformed;
    return { partNumber: parsePartNumber(PartNumber.trim()), etag: ETag.trim().replace(/^(&quot;|")|(&quot;|")$/g, '') };
  });
}

async function create(uploads: Uploads, r: StoreRequest, res: ServerResponse): Promise<void> {
  const { contentType, headers } = storedHeaders(r);
  const u = await uploads.create({ bucket: r.bucket, key: r.key as string, contentType, headers });
  sendXml(res, 200, `<InitiateMultipartUploadResult xmlns="${S3_NS}">${el('Bucket', u.bucket)}${el('Key', u.key)}${el('UploadId', u.id)}</InitiateMultipartUploadResult>`);
}

async function uploadPart(repo: ObjectRepo, limiter: UploadLimiter, uploads: Uploads, r: StoreRequest, auth: AuthResult, res: ServerResponse, id: string): Promise<void> {
  if (r.headerValues('x-amz-copy-source').length > 0) throw new S3Error('NotImplemented', 'UploadPartCopy is not supported by the embedded store.');
  const partNumber = parsePartNumber(r.param('partNumber'));
  const checks = bodyChecks(r, auth, MAX_PUT_BYTES);
  await uploads.get(id, r.bucket, r.key as string);
  const tmp = repo.newTempPath();
  let etag = '';
  await limiter.receive(r.req, res, r.expectContinue, () =>
    writeTemp(tmp, requestBody(r.req), checks, (w) => {
      etag = w.md5.toString('hex');
      const meta: ObjectMeta = { bucket: r.bucket, key: r.key as string, size: w.size, etag, mtime: Math.floor(Date.now() / 1000) * 1000, contentType: '', headers: {} };
      return encodeTrailer(meta);
    }, { ownedChunks: true }),
  );
  await uploads.commitPart(id, partNumber, tmp);
  res.setHeader('ETag', `"${etag}"`);
  sendEmpty(res, 200);
}

async function listParts(uploads: Uploads, r: StoreRequest, res: ServerResponse, id: string): Promise<void> {
  const u = await uploads.get(id, r.bucket, r.key as string);
  const maxParts = Math.min(Number(/^\d{1,5}$/.test(r.param('max-parts') ?? '') ? r.param('max-parts') : 1000), 1000);
  const marker = Number(/^\d{1,5}$/.test(r.param('part-number-marker') ?? '') ? r.param('part-number-marker') : 0);
  const all = (await uploads.parts(id)).filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  let body = `<ListPartsResult xmlns="${S3_NS}">${el('Bucket', u.bucket)}${el('Key', u.key)}${el('UploadId', u.id)}${OWNER}${el('StorageClass', 'STANDARD')}`;
  body += el('PartNumberMarker', marker) + el('MaxParts', maxParts) + el('IsTruncated', truncated);
  if (page.length > 0) body += el('NextPartNumberMarker', (page[page.length - 1] as PartInfo).partNumber);
  for (const p of page) body += `<Part>${el('PartNumber', p.partNumber)}${el('LastModified', new Date(p.mtime).toISOString())}${el('ETag', `"${p.etag}"`)}${el('Size', p.size)}</Part>`;
  sendXml(res, 200, `${body}</ListPartsResult>`);
}

async function complete(repo: ObjectRepo, limiter: UploadLimiter, uploads: Uploads, r: StoreRequest, auth: AuthResult, res: ServerResponse, id: string): Promise<void> {
  const key = r.key as string;
  const u = await uploads.get(id, r.bucket, key);
  const cond = await writeCondition(repo, r, key);
  const requested = parseCompleteXml(await readSmallBody(limiter, r, auth, res));
  await uploads.lock(id, async () => {
    await uploads.get(id, r.bucket, key); // still there (not completed or aborted meanwhile)
    const stored = new Map((await uploads.parts(id)).map((p) => [p.partNumber, p]));
    const chosen: PartInfo[] = [];
    if (requested.some((want, i) => i > 0 && want.partNumber <= (requested[i - 1] as { partNumber: number }).partNumber)) {
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
    }
    for (const [i, want] of requested.entries()) {
      const p = stored.get(want.partNumber);
      if (!p || p.etag !== want.etag) {
        throw new S3Error('InvalidPart', "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", {
          extra: { PartNumber: String(want.partNumber), ETag: want.etag },
        });
      }
      if (i < requested.length - 1 && p.size < MIN_PART_BYTES) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { extra: { PartNumber: String(p.partNumber), MinSizeAllowed: String(MIN_PART_BYTES) } });
      }
      chosen.push(p);
    }
    const total = chosen.reduce((n, p) => n + p.size, 0);
    const meta: ObjectMeta = { bucket: u.bucket, key, size: total, etag: multipartEtag(chosen), mtime: Math.floor(Date.now() / 1000) * 1000, contentType: u.contentType, headers: u.headers };
    const tmp = repo.newTempPath();
    // The ETag comes from the parts' MD5s, so the whole body is not hashed again.
    await writeTemp(tmp, concatParts(chosen), { length: total }, () => encodeTrailer(meta), { md5: false });
    await repo.commit(tmp, meta, cond);
    await uploads.remove(id);
    const location = `/${encodeURIComponent(u.bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
    sendXml(res, 200, `<CompleteMultipartUploadResult xmlns="${S3_NS}">${el('Location', location)}${el('Bucket', u.bucket)}${el('Key', key)}${el('ETag', `"${meta.etag}"`)}</CompleteMultipartUploadResult>`);
  });
}

async function listUploads(uploads: Uploads, r: StoreRequest, res: ServerResponse): Promise<void> {
  if (r.has('delimiter') || r.has('key-marker') || r.has('upload-id-marker')) throw new S3Error('NotImplemented', 'ListMultipartUploads supports prefix and max-uploads only.');
  const prefix = r.param('prefix') ?? '';
  const max = Math.min(Number(/^\d{1,4}$/.test(r.param('max-uploads') ?? '') ? r.param('max-uploads') : 1000), 1000);
  const all = (await uploads.list(r.bucket)).filter((u) => u.key.startsWith(prefix));
  const page = all.slice(0, max);
  let body = `<ListMultipartUploadsResult xmlns="${S3_NS}">${el('Bucket', r.bucket)}${el('KeyMarker', '')}${el('UploadIdMarker', '')}${el('Prefix', prefix)}${el('MaxUploads', max)}${el('IsTruncated', all.length > page.length)}`;
  for (const u of page) body += `<Upload>${el('Key', u.key)}${el('UploadId', u.id)}${OWNER}${el('StorageClass', 'STANDARD')}${el('Initiated', new Date(u.initiated).toISOString())}</Upload>`;
  sendXml(res, 200, `${body}</ListMultipartUploadsResult>`);
}

/** Dispatches every request carrying ?uploads or ?uploadId. */
export async function multipartRoute(repo: ObjectRepo, limiter: UploadLimiter, r: StoreRequest, auth: AuthResult, res: ServerResponse): Promise<void> {
  const uploads = new Uploads(repo);
  const id = r.param('uploadId');
  if (r.key === null) {
    if (r.method === 'GET' && r.has('uploads')) return listUploads(uploads, r, res);
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
  if (id === undefined) {
    if (r.method === 'POST') return create(uploads, r, res);
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
  switch (r.method) {
    case 'PUT':
      return uploadPart(repo, limiter, uploads, r, auth, res, id);
    case 'GET':
      return listParts(uploads, r, res, id);
    case 'POST':
      return complete(repo, limiter, uploads, r, auth, res, id);
    case 'DELETE':
      await uploads.abort(id, r.bucket, r.key);
      return sendEmpty(res, 204);
    default:
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
}
