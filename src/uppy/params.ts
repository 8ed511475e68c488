/**
 * `GET <uppy>/s3/params?filename=&type=&metadata[folder]=`: Uppy's small-file path. Uppy 6
 * uploads such a file as an S3 POST Object form, so the answer is Companion's
 * `{ method: 'POST', url, fields, expires }`, and the form's signed policy carries the deciding
 * rule's constraints to storage: the exact key, `content-length-range` 0..maxSize (at most
 * 5 GiB), `Content-Type` exactly the file's type, and the URL lifetime. The size is not known
 * here (Uppy does not send it), which is why it must be storage that bounds it.
 *
 * Fails closed: a create-only rule gets 501 (S3 POST Object has no conditional create; Uppy's
 * multipart path has, with `shouldUseMultipart: true`), and so does a mount whose storage has no
 * POST policies (Azure; GCS untested).
 */
import { HttpError } from '../http/errors';
import { Actions } from '../policy/types';
import { authorizeAs, sendJson, urlLifetime } from '../routes/route-kit';
import { enforceUploadConstraints, MAX_SINGLE_PUT_BYTES } from '../routes/upload-headers';
import { withCredentials } from '../storage/storage-call';
import { callerOf } from './caller';
import { mediaTypeOf, notOnThisMount, type UppyCall } from './uppy-kit';
import { uploadTarget } from './target';

export async function uploadParams(call: UppyCall): Promise<void> {
  const { deps, req, res, query } = call;
  const mediaType = mediaTypeOf(query.get('type') ?? undefined);
  const { mount, key } = uploadTarget(deps.mounts, query.get('metadata[folder]') ?? undefined, query.get('filename') ?? undefined);
  const at = deps.ctx.now();
  const principal = await callerOf(deps.ctx, deps.tokens, req, call.session, at);
  const { constraints } = authorizeAs(deps.ctx, res, principal, at, Actions.write, key);
  const { backend } = mount;
  if (!backend.presignPost) throw notOnThisMount(mount);
  if (constraints.createOnly) {
    throw new HttpError(501, 'not_implemented', 'this folder is create-only, and a form upload (S3 POST Object) cannot be: upload with Uppy\'s multipart path (shouldUseMultipart: true)');
  }
  enforceUploadConstraints({ contentLength: 0, ...(mediaType !== undefined && { contentType: mediaType }), createOnly: false }, constraints);
  const post = await withCredentials(() =>
    backend.presignPost!({
      bucket: mount.bucket,
      key,
      expiresIn: urlLifetime(deps.ctx, constraints),
      now: at,
      maxSize: Math.min(constraints.maxSize ?? MAX_SINGLE_PUT_BYTES, MAX_SINGLE_PUT_BYTES),
      ...(mediaType !== undefined && { contentType: mediaType.value }),
    }),
  );
  const expires = Math.round((post.expiresAt.getTime() - at.getTime()) / 1000);
  sendJson(res, 200, { method: 'POST', url: post.url, fields: post.fields, expires, expiresAt: post.expiresAt.toISOString() });
}
