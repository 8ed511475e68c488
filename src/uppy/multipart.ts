/**
 * Uppy's multipart path, in Companion's shapes, on the gateway's multipart machinery
 * (storage/multipart.ts, routes/multipart.ts):
 *
 *   POST   s3/multipart                     { filename, type, metadata } -> { key, uploadId }
 *   GET    s3/multipart/<id>/<n>?key=K      -> { url, expires }   (one part URL)
 *   GET    s3/multipart/<id>?key=K          -> [{ PartNumber, ETag, Size }]
 *   POST   s3/multipart/<id>/complete?key=K { parts: [{ PartNumber, ETag }] } -> { location, key }
 *   DELETE s3/multipart/<id>?key=K          -> {}
 *
 * The `uploadId` Uppy holds is the gateway's signed upload token (tokens.ts), never the storage
 * upload id, so every later call names the upload only through it (uppy-kit.ts `boundUpload`).
 * Uppy does not say a file's size, so part URLs sign no Content-Length (S3 bounds a part at
 * 5 GiB) and `maxSize` is enforced at Complete from the stored parts: over it, the upload is
 * aborted (its parts deleted) and the answer is 413. Create-only rules complete with
 * `If-None-Match: *`, so storage refuses to overwrite.
 */
import { describePrincipal } from '../http/authenticate';
import { badRequest, HttpError } from '../http/errors';
import { Actions } from '../policy/types';
import { completeParts, MAX_COMPLETE_BODY_BYTES, MAX_PARTS } from '../routes/multipart-plan';
import { completeChecked } from '../routes/multipart';
import { authorizeAs, jsonObject, readSmallJson, sendJson, urlLifetime } from '../routes/route-kit';
import { enforceUploadConstraints } from '../routes/upload-headers';
import { callerOf } from './caller';
import { gatewayPath, uploadTarget } from './target';
import { boundUpload, mediaTypeOf, uppyMultipartOf, type UppyCall } from './uppy-kit';

/** How long Uppy may keep using one upload (its token), including a Golden Retriever resume. */
export const UPLOAD_TOKEN_SECONDS = 24 * 3600;
const MAX_CREATE_BODY_BYTES = 16 * 1024;

export async function createUpload(call: UppyCall): Promise<void> {
  const { deps, req, res } = call;
  const body = jsonObject((await readSmallJson(req, res, MAX_CREATE_BODY_BYTES)) ?? {}, ['filename', 'type', 'metadata']);
  const metadata = body.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw badRequest('invalid_json', 'metadata must be an object');
  const mediaType = mediaTypeOf(body.type);
  const { mount, key } = uploadTarget(deps.mounts, (metadata as { folder?: unknown }).folder, body.filename);
  const at = deps.ctx.now();
  const principal = await callerOf(deps.ctx, deps.tokens, req, call.session, at);
  const { constraints } = authorizeAs(deps.ctx, res, principal, at, Actions.write, key);
  const backend = uppyMultipartOf(mount);
  // The size is checked at Complete; the type here, and create-only by Complete's If-None-Match.
  enforceUploadConstraints({ contentLength: 0, ...(mediaType !== undefined && { contentType: mediaType }), createOnly: true }, constraints);
  const { uploadId } = await backend.create({ bucket: mount.bucket, key, now: at, ...(mediaType !== undefined && { contentType: mediaType.value }) });
  const token = deps.tokens.sealUpload({ mountPath: mount.path, key, uploadId, principal: describePrincipal(principal) }, Math.floor(at.getTime() / 1000) + UPLOAD_TOKEN_SECONDS);
  sendJson(res, 200, { key, uploadId: token });
}

export async function signPart(call: UppyCall): Promise<void> {
  const text = call.partNumber ?? '';
  const partNumber = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (partNumber < 1 || partNumber > MAX_PARTS) throw badRequest('invalid_part_number', `the part number must be 1 to ${MAX_PARTS}`);
  const { grant, mount, backend, constraints, at } = await boundUpload(call);
  const { urls, expiresAt } = await backend.partUrls({ bucket: mount.bucket, key: grant.key, uploadId: grant.uploadId, now: at, expiresIn: urlLifetime(call.deps.ctx, constraints), parts: [{ partNumber }] });
  sendJson(call.res, 200, { url: urls[0]!.url, expires: Math.round((expiresAt.getTime() - at.getTime()) / 1000) });
}

export async function listUploadedParts(call: UppyCall): Promise<void> {
  const { grant, mount, backend, at } = await boundUpload(call);
  const parts = await backend.listParts({ bucket: mount.bucket, key: grant.key, uploadId: grant.uploadId, now: at });
  sendJson(call.res, 200, parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"`, Size: p.size })));
}

export async function completeUpload(call: UppyCall): Promise<void> {
  const { grant, mount, backend, constraints, at } = await boundUpload(call);
  const body = (await readSmallJson(call.req, call.res, MAX_COMPLETE_BODY_BYTES)) as { parts?: unknown } | undefined;
  const named = Array.isArray(body?.parts) ? body.parts.map((p: unknown) => ({ partNumber: (p as { PartNumber?: unknown } | null)?.PartNumber, etag: (p as { ETag?: unknown } | null)?.ETag })) : undefined;
  const wanted = completeParts(named);
  const target = { bucket: mount.bucket, key: grant.key, uploadId: grant.uploadId, now: at };
  try {
    await completeChecked(backend, target, wanted, { ...(constraints.maxSize !== undefined && { maxSize: constraints.maxSize }), createOnly: constraints.createOnly ?? false, now: call.deps.ctx.now });
  } catch (err) {
    // Parts that add up to more than the rule allows can never complete: free the storage now.
    if (err instanceof HttpError && err.statusCode === 413) await backend.abort(target).catch(() => undefined);
    throw err;
  }
  sendJson(call.res, 200, { location: gatewayPath(mount, grant.key), key: grant.key });
}

export async function abortUpload(call: UppyCall): Promise<void> {
  const { grant, mount, backend, at } = await boundUpload(call);
  await backend.abort({ bucket: mount.bucket, key: grant.key, uploadId: grant.uploadId, now: at });
  sendJson(call.res, 200, {});
}
