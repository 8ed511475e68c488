/**
 * Multipart uploads through the gateway (large files; API Gateway/Lambda fronts that cannot take
 * a body). Every call needs the `write` permission on the exact key; the gateway stores nothing.
 *
 *   POST   <mount>/<key>?uploads            X-Upload-Length: N, [X-Upload-Content-Type | Content-Type],
 *                                           [If-None-Match: *]  -> 201 { uploadId, key, size, partSize,
 *                                           partCount, parts: [{ partNumber, size, url }], expiresAt, next? }
 *   GET    <mount>/<key>?uploadId=U&parts=A-B   X-Upload-Length: N -> 200 { uploadId, parts, expiresAt, next? }
 *   GET    <mount>/<key>?uploadId=U         -> 200 { uploadId, parts: [{ partNumber, etag, size }] }
 *   POST   <mount>/<key>?uploadId=U         { parts: [{ partNumber, etag }] } (<= 1 MB), [X-Upload-Length: N],
 *                                           [If-None-Match: *] -> 200 { key, etag, size }
 *   DELETE <mount>/<key>?uploadId=U         -> 204
 *
 * Policy: create and every page of part URLs check the declared size like a PUT's Content-Length
 * (maxSize 413, contentTypes 415, createOnly 428 without If-None-Match). Each part URL signs its
 * exact Content-Length, so storage refuses bigger parts; Complete lists the parts, checks the
 * named ones exist with those ETags and that their sum is within maxSize (and equals
 * X-Upload-Length when sent), then completes (create-only: If-None-Match: * signed). A backend
 * whose part URLs could overwrite the object (Azure: a `w` SAS) gets no create-only uploads: 501.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError, payloadTooLarge } from '../http/errors';
import { discardUnwantedBody } from '../http/discard-body';
import { Actions } from '../policy/types';
import type { Mount } from '../storage/mount';
import type { MultipartBackend } from '../storage/multipart';
import { checkUploadId, notImplemented, parsePartRange, partCountFor, partSizeFor, partSpecs, PARTS_PER_PAGE, readCompleteBody, readDeclaredUpload } from './multipart-plan';
import { authorize, objectKeyOf, sendJson, urlLifetime, type MountRoute, type RouteContext } from './route-kit';
import { enforceContentType, enforceUploadConstraints } from './upload-headers';

/** Where a mount's multipart backend lives: `mount.multipart`, else `mount.backend.multipart`. */
export function multipartOf(mount: Mount): MultipartBackend | undefined {
  return (mount as { multipart?: MultipartBackend }).multipart ?? (mount.backend as { multipart?: MultipartBackend }).multipart;
}

/** The multipart route for a request on a key, or undefined (not a multipart request). */
export function multipartRouteFor(method: string | undefined, query: URLSearchParams): MountRoute | undefined {
  if (query.has('uploads')) return method === 'POST' ? multipart : undefined;
  if (query.has('uploadId') && (method === 'GET' || method === 'POST' || method === 'DELETE')) return multipart;
  return undefined;
}

export const multipart: MountRoute = async (ctx, req, res, mount, rawKeyPath, query) => {
  const key = objectKeyOf(rawKeyPath, mount);
  const backend = multipartOf(mount);
  if (req.method !== 'POST' || query.has('uploads')) discardUnwantedBody(req, res);
  if (!backend) throw notImplemented();
  const target = { bucket: mount.bucket, key };
  if (query.has('uploads')) return create(ctx, req, res, backend, target, mount);
  const uploadId = checkUploadId(query.get('uploadId'));
  if (req.method === 'GET' && query.has('parts')) return partPage(ctx, req, res, backend, { ...target, uploadId }, query.get('parts') ?? '');
  if (req.method === 'POST') return complete(ctx, req, res, backend, { ...target, uploadId }, mount);
  const { at } = await authorize(ctx, req, res, Actions.write, key);
  if (req.method === 'DELETE') {
    await backend.abort({ ...target, uploadId, now: at });
    res.statusCode = 204;
    res.setHeader('Cache-Control', 'no-store');
    res.end();
    return;
  }
  const parts = await backend.listParts({ ...target, uploadId, now: at });
  sendJson(res, 200, { uploadId, parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size })) });
};

type Target = { readonly bucket: string; readonly key: string };

async function create(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, backend: MultipartBackend, t: Target, mount: Mount): Promise<void> {
  const upload = readDeclaredUpload(req);
  const { constraints, at } = await authorize(ctx, req, res, Actions.write, t.key);
  enforceUploadConstraints(upload, constraints);
  refuseWeakCreateOnly(backend, upload.createOnly);
  const { uploadId } = await backend.create({ ...t, now: at, ...(upload.contentType !== undefined && { contentType: upload.contentType.value }) });
  const page = await pageOf(backend, { ...t, uploadId }, upload.contentLength, 1, PARTS_PER_PAGE, urlLifetime(ctx, constraints), at);
  sendJson(res, 201, {
    uploadId,
    key: t.key.slice(mount.prefix.length),
    size: upload.contentLength,
    partSize: partSizeFor(upload.contentLength),
    partCount: partCountFor(upload.contentLength),
    ...page,
  });
}

async function partPage(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, backend: MultipartBackend, t: Target & { uploadId: string }, range: string): Promise<void> {
  const upload = readDeclaredUpload(req);
  const { constraints, at } = await authorize(ctx, req, res, Actions.write, t.key);
  enforceUploadConstraints(upload, constraints);
  refuseWeakCreateOnly(backend, upload.createOnly);
  const [first, last] = parsePartRange(range, partCountFor(upload.contentLength));
  sendJson(res, 200, { uploadId: t.uploadId, ...(await pageOf(backend, t, upload.contentLength, first, last, urlLifetime(ctx, constraints), at)) });
}

/** Fail closed: part URLs that could overwrite the object are never handed out for a create-only upload. */
function refuseWeakCreateOnly(backend: MultipartBackend, createOnly: boolean): void {
  if (createOnly && backend.partUrlsMayOverwrite) {
    throw new HttpError(501, 'not_implemented', 'create-only uploads in parts are not available on this mount (its part URLs could overwrite the file); upload it with one PUT');
  }
}

async function pageOf(backend: MultipartBackend, t: Target & { uploadId: string }, size: number, first: number, last: number, expiresIn: number, now: Date) {
  const count = partCountFor(size);
  const { urls, expiresAt } = await backend.partUrls({ ...t, now, expiresIn, parts: partSpecs(size, first, last) });
  const end = Math.min(last, count);
  return { parts: urls, expiresAt: expiresAt.toISOString(), ...(end < count && { next: `${end + 1}-${Math.min(end + PARTS_PER_PAGE, count)}` }) };
}

/**
 * Completes an upload after checking it against what was allowed: every named part exists with
 * that ETag, their sum is within `maxSize` (413) and equals `declaredSize` when given (400).
 */
export async function completeChecked(
  backend: MultipartBackend,
  t: Target & { readonly uploadId: string; readonly now: Date },
  wanted: readonly { partNumber: number; etag: string }[],
  opts: { readonly maxSize?: number; readonly declaredSize?: number; readonly createOnly: boolean; readonly now: () => Date },
): Promise<{ etag: string; size: number }> {
  const stored = new Map((await backend.listParts(t)).map((p) => [p.partNumber, p]));
  let size = 0;
  for (const w of wanted) {
    const p = stored.get(w.partNumber);
    if (!p || p.etag !== w.etag) throw badRequest('invalid_part', `part ${w.partNumber} was not uploaded or its etag differs`);
    size += p.size;
  }
  if (opts.maxSize !== undefined && size > opts.maxSize) throw payloadTooLarge(`uploads here are limited to ${opts.maxSize} bytes`);
  if (opts.declaredSize !== undefined && size !== opts.declaredSize) throw badRequest('size_mismatch', `the parts add up to ${size} bytes, not the declared ${opts.declaredSize}`);
  const { etag } = await backend.complete({ ...t, now: opts.now(), parts: wanted, ...(opts.createOnly && { createOnly: true }) });
  return { etag, size };
}

async function complete(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, backend: MultipartBackend, t: Target & { uploadId: string }, mount: Mount): Promise<void> {
  const declared = req.headers['x-upload-length'];
  if (declared !== undefined && (typeof declared !== 'string' || !/^\d{1,16}$/.test(declared))) throw badRequest('invalid_upload_length', 'X-Upload-Length must be a non-negative integer');
  const createOnly = req.headers['if-none-match'] !== undefined;
  if (createOnly && req.headers['if-none-match']?.trim() !== '*') throw badRequest('invalid_if_none_match', 'only "If-None-Match: *" is supported');
  const { constraints, at } = await authorize(ctx, req, res, Actions.write, t.key);
  if (constraints.createOnly && !createOnly) throw new HttpError(428, 'precondition_required', 'this path is create-only: send "If-None-Match: *"');
  if (backend.contentTypeOf) enforceContentType(backend.contentTypeOf(t.uploadId), constraints);
  const wanted = await readCompleteBody(req, res);
  const { etag, size } = await completeChecked(backend, { ...t, now: at }, wanted, { ...(constraints.maxSize !== undefined && { maxSize: constraints.maxSize }), ...(declared !== undefined && { declaredSize: Number(declared) }), createOnly, now: ctx.now });
  sendJson(res, 200, { key: t.key.slice(mount.prefix.length), etag, size });
}
