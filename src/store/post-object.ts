/**
 * S3 POST Object: a browser form upload to the bucket's URL (`multipart/form-data`), authorized
 * by the signed policy in its fields (post-policy.ts), not by a query or header signature.
 *
 * The form is parsed as a stream (@fastify/busboy): the fields before the file are collected
 * (at most 20 KB in all, each name and value bounded: S3's MaxPostPreDataLengthExceeded), the
 * policy is verified when the `file` part starts, before a byte of it is written, and the file
 * is streamed to a temp file with the policy's size range enforced as it arrives (EntityTooLarge
 * as soon as it passes the maximum), then committed atomically like a PUT, only once the whole
 * form has been parsed. Fields after the file are ignored and only one file is read, as S3
 * does. The answer follows `success_action_status` (204 by default; 201 with a PostResponse
 * document; 200) or `success_action_redirect` (303).
 */
import type { ServerResponse } from 'node:http';
import Busboy, { type BusboyFileStream } from '@fastify/busboy';
import { S3Error } from './errors';
import { sendEmpty, sendXml } from './http';
import { encodeTrailer, removeQuietly, type ObjectMeta } from './layout';
import { MAX_POST_FILE_BYTES, verifyPostPolicy, type SizeRange } from './post-policy';
import type { ServerContext } from './server';
import type { StoreRequest } from './request';
import { MAX_KEY_BYTES } from './request';
import { uriEncode } from './sigv4';
import { DEFAULT_CONTENT_TYPE, storedMetadata } from './writereq';
import { writeTemp } from './writer';
import { el } from './xml';

/** S3's limit on the form fields that precede the file. */
export const MAX_PRE_DATA_BYTES = 20 * 1024;
const LIMITS = { fieldNameSize: 1024, fieldSize: MAX_PRE_DATA_BYTES, fields: 200, files: 1, parts: 201, headerPairs: 16, headerSize: 16 * 1024 };

interface Written {
  readonly tmp: string;
  readonly meta: ObjectMeta;
  readonly status: string | undefined;
  readonly redirect: string | undefined;
}

const preDataTooLarge = (): S3Error => new S3Error('MaxPostPreDataLengthExceededError', 'Your POST request fields preceding the upload file were too large.');

/** A POST to a bucket without a query string (S3 dispatches it as POST Object). */
export function isPostObject(r: StoreRequest): boolean {
  return r.method === 'POST' && r.bucket !== '' && r.key === null && r.params.length === 0;
}

export async function postObject(ctx: ServerContext, r: StoreRequest, res: ServerResponse): Promise<void> {
  if (!ctx.repo.hasBucket(r.bucket)) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { extra: { BucketName: r.bucket } });
  const type = r.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;.*\bboundary=/i.test(type)) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { extra: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' } });
  }
  const length = r.req.headers['content-length'];
  if (length === undefined) throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  if (!/^\d{1,16}$/.test(length)) throw new S3Error('InvalidArgument', 'Content-Length is invalid.');
  if (Number(length) > MAX_POST_FILE_BYTES + 1024 * 1024) {
    throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { extra: { ProposedSize: length, MaxSizeAllowed: String(MAX_POST_FILE_BYTES) } });
  }
  // The policy is in the body, so nothing more can be checked before it: take an upload slot (or
  // 503 SlowDown), then 100 Continue, and the body is paced like any other upload's (limits.ts).
  const written = await ctx.uploads.receive(r.req, res, r.expectContinue, () => readForm(ctx, r, type));
  const cond = { kind: 'always' } as const; // POST Object has no conditional writes
  await ctx.repo.commit(written.tmp, written.meta, cond);
  answer(r, res, written);
}

function readForm(ctx: ServerContext, r: StoreRequest, contentType: string): Promise<Written> {
  return new Promise<Written>((resolve, reject) => {
    const fields = new Map<string, string>();
    let preData = 0;
    let file: Promise<Written> | undefined;
    let stream: BusboyFileStream | undefined;
    let failed = false;
    const busboy = Busboy({ headers: { ...r.req.headers, 'content-type': contentType }, limits: LIMITS, isPartAFile: (name) => name?.toLowerCase() === 'file' });
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      r.req.unpipe(busboy);
      busboy.on('error', () => undefined); // late parser errors after we gave up are expected
      stream?.on('error', () => undefined).destroy(new Error('form upload failed')); // ends a write still waiting for bytes
      // A temp file already written (the form broke after it) is never committed.
      void file?.then((w) => removeQuietly(w.tmp), () => undefined);
      reject(err);
    };
    busboy.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (file || failed) return; // after the file: ignored, as S3 does
      preData += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (nameTruncated || valueTruncated || preData > MAX_PRE_DATA_BYTES) return fail(preDataTooLarge());
      const lower = name.toLowerCase();
      if (fields.has(lower)) return fail(new S3Error('InvalidArgument', `POST requires exactly one value per form field: '${name}' came more than once.`, { extra: { ArgumentName: name } }));
      fields.set(lower, value);
    });
    busboy.on('fieldsLimit', () => fail(preDataTooLarge()));
    busboy.on('partsLimit', () => fail(preDataTooLarge()));
    busboy.on('file', (_name, part, filename) => {
      if (file || failed) return void part.resume();
      stream = part;
      file = writeFile(ctx, r, fields, part, filename);
      file.catch((err: unknown) => fail(err as Error));
    });
    busboy.on('finish', () => {
      if (failed) return;
      if (!file) return fail(new S3Error('IncorrectNumberOfFilesInPostRequest', 'POST requires exactly one file upload per request.'));
      file.then(resolve, (err: unknown) => fail(err as Error));
    });
    busboy.on('error', () => fail(new S3Error('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.')));
    r.req.on('close', () => {
      if (!r.req.complete) fail(new S3Error('IncompleteBody', 'The request body ended early.'));
    });
    r.req.pipe(busboy);
  });
}

/** Verifies the policy (before anything is written), then streams the file into a temp file. */
async function writeFile(ctx: ServerContext, r: StoreRequest, fields: ReadonlyMap<string, string>, stream: BusboyFileStream, filename: string): Promise<Written> {
  let range: SizeRange;
  let key: string;
  try {
    range = verifyPostPolicy(fields, r.bucket, ctx.auth);
    key = (fields.get('key') ?? '').replaceAll('${filename}', filename);
    if (key === '') throw new S3Error('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { extra: { ArgumentName: 'key', ArgumentValue: '' } });
    if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 'Your key is too long');
  } catch (err) {
    stream.resume(); // drained by nobody: the request is unpiped by the caller
    throw err;
  }
  const headers = storedMetadata(fields, (name) => fields.get(name));
  const contentType = fields.get('content-type') ?? DEFAULT_CONTENT_TYPE;
  const tmp = ctx.repo.newTempPath();
  const mtime = Math.floor(Date.now() / 1000) * 1000;
  let meta: ObjectMeta | undefined;
  await writeTemp(tmp, stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>, { length: range.max, minLength: range.min }, (w) => {
    meta = { bucket: r.bucket, key, size: w.size, etag: w.md5.toString('hex'), mtime, contentType, headers };
    return encodeTrailer(meta);
  });
  if (!meta) throw new Error('writeTemp returned without metadata');
  return { tmp, meta, status: fields.get('success_action_status'), redirect: fields.get('success_action_redirect') ?? fields.get('redirect') };
}

function answer(r: StoreRequest, res: ServerResponse, w: Written): void {
  const location = `http://${r.header('host') ?? 'localhost'}/${uriEncode(r.bucket, false)}/${uriEncode(w.meta.key, true)}`;
  res.setHeader('ETag', `"${w.meta.etag}"`);
  res.setHeader('Location', location);
  if (w.redirect !== undefined && /^https?:\/\//i.test(w.redirect)) {
    const target = new URL(w.redirect);
    target.searchParams.set('bucket', r.bucket);
    target.searchParams.set('key', w.meta.key);
    target.searchParams.set('etag', `"${w.meta.etag}"`);
    res.setHeader('Location', target.href);
    return sendEmpty(res, 303);
  }
  if (w.status === '201') {
    return sendXml(res, 201, `<PostResponse>${el('Location', location)}${el('Bucket', r.bucket)}${el('Key', w.meta.key)}${el('ETag', `"${w.meta.etag}"`)}</PostResponse>`);
  }
  sendEmpty(res, w.status === '200' ? 200 : 204);
}
