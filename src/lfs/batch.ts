/**
 * The Batch API, basic transfer: `POST <gateway>/lfs/<repo>/objects/batch`
 *   {"operation": "upload"|"download", "transfers"?: [...], "ref"?: {...}, "hash_algo"?: "sha256",
 *    "objects": [{"oid", "size"}, ...]}
 * -> 200 {"transfer": "basic", "hash_algo": "sha256", "objects": [...]}, each object one of
 *   {oid, size}                                          upload: already stored, nothing to do
 *   {oid, size, authenticated: true, actions: {upload, verify} | {download}}
 *   {oid, size, error: {code: 404|409|422, message}}
 *
 * Hrefs are presigned URLs straight to storage; an upload signs its exact size,
 * `Content-Type: application/octet-stream` (git-lfs would otherwise send a sniffed type and break
 * the signature) and, where storage verifies it, `x-amz-checksum-sha256` = the oid: that URL
 * accepts those bytes and no others. Where storage cannot bind content (Ceph RGW 16, GCS, Azure)
 * a new object's upload is create-only instead, so an upload URL can never replace an object that
 * is already there. The signed headers come back in each action's `header`. The gateway asks
 * storage whether each object exists (HEAD, with the kept checksum where there is one): a stored
 * object needs no upload, a missing one cannot be downloaded (per-object 404).
 *
 * Whole-request errors: 401 / 403 (upload) / 404 (download: the repository does not exist for
 * this caller) from the policy, 413 over 1000 objects or 256 KiB, 422 for a request with no valid
 * object, 429 from the rate limit. Per object: 422 for a bad oid or size, a size over the rule's
 * `maxSize` or over 5 GiB (one PUT), or a rule's `contentTypes` without application/octet-stream;
 * 409 for another hash algorithm. No URL is ever signed for a size the policy refuses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/errors';
import { contentTypeAllowed } from '../policy';
import { Actions, type Constraints } from '../policy/types';
import { presign, urlLifetime, type RouteContext } from '../routes/route-kit';
import { MAX_SINGLE_PUT_BYTES } from '../routes/upload-headers';
import { bindsContent } from '../storage/capabilities';
import { mapWithLimit } from '../storage/object-calls';
import { ObjectOperations, type PresignedRequest } from '../storage/types';
import { authorizeKeys, type AllowedKeys } from './access';
import type { LfsContext } from './context';
import { checkObject, LFS_ROOT, objectKey, oidChecksum } from './paths';
import { checkRef, LfsError, lfsObject, originOf, readLfsJson, sendLfs, validationError } from './protocol';
import { VERIFY_TOKEN_HEADER, verifyToken } from './verify';

export const MAX_BATCH_OBJECTS = 1000;
const BODY_LIMIT = 256 * 1024;
const STORAGE_CONCURRENCY = 16;
const OCTET_STREAM = 'application/octet-stream';

type Operation = 'upload' | 'download';
interface Entry {
  readonly oid: string;
  readonly size: number;
  /** Why this object is refused before anything else is asked; absent when it is valid. */
  readonly problem?: string;
}
type Action = { readonly href: string; readonly header?: Record<string, string>; readonly expires_in: number };
type ObjectAnswer =
  | { oid: string; size: number }
  | { oid: string; size: number; authenticated: true; actions: Record<string, Action> }
  | { oid: string; size: number; error: { code: number; message: string } };

export async function batch(ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string): Promise<void> {
  const { operation, entries, hashAlgo } = parseBatch(await readLfsJson(req, res, BODY_LIMIT));
  if (hashAlgo !== 'sha256') {
    const message = `objects here are named by sha256, not ${hashAlgo}`;
    sendLfs(res, 200, { transfer: 'basic', hash_algo: 'sha256', objects: entries.map((e) => ({ oid: e.oid, size: e.size, error: { code: 409, message } })) });
    return;
  }
  const valid = entries.filter((e) => e.problem === undefined);
  if (valid.length === 0) throw validationError(`no valid object in the request: ${entries[0]?.problem ?? ''}`);

  const { prefix } = lfs.mount;
  const keys = [...new Set(valid.map((e) => objectKey(prefix, repo, e.oid)))] as [string, ...string[]];
  const upload = operation === 'upload';
  let allowed: AllowedKeys;
  try {
    allowed = await authorizeKeys(ctx, req, res, upload ? Actions.write : Actions.read, keys);
  } catch (err) {
    if (!(err instanceof HttpError) || err.statusCode !== 403) throw err;
    if (upload) throw new LfsError(403, 'forbidden', `you may not upload to ${repo}`);
    throw new LfsError(404, 'not_found', `repository ${repo} does not exist, or you may not read it`);
  }
  const { at } = allowed;
  const constraintsOf = new Map(keys.map((k, i) => [k, allowed.constraints[i]!]));

  const binds = bindsContent(lfs.mount.backend);
  const oids = [...new Set(valid.map((e) => e.oid))];
  const found = await mapWithLimit(oids, STORAGE_CONCURRENCY, (oid) => lfs.calls.head(objectKey(prefix, repo, oid), at, { checksum: binds }));
  const stored = new Map(oids.map((oid, i) => [oid, found[i]]));

  const origin = originOf(req);
  const objects = await Promise.all(
    entries.map(async (e): Promise<ObjectAnswer> => {
      if (e.problem !== undefined) return refuse(e, 422, e.problem);
      const key = objectKey(prefix, repo, e.oid);
      const have = stored.get(e.oid);
      const intact = have !== undefined && have.size === e.size && (have.checksumSha256 === undefined || have.checksumSha256 === oidChecksum(e.oid));
      const constraints = constraintsOf.get(key)!;
      if (!upload) {
        if (!intact) return refuse(e, 404, have === undefined ? `object ${e.oid} does not exist` : `object ${e.oid} is stored with another size or content`);
        const signed = await presign(lfs.mount, { operation: ObjectOperations.get, bucket: lfs.mount.bucket, key, expiresIn: urlLifetime(ctx, constraints), now: at });
        return { oid: e.oid, size: e.size, authenticated: true, actions: { download: action(signed, at) } };
      }
      if (intact) return { oid: e.oid, size: e.size };
      const refused = uploadProblem(e.size, constraints);
      if (refused !== undefined) return refuse(e, 422, refused);
      const actions: Record<string, Action> = { upload: await uploadAction(ctx, lfs, key, e, constraints, at, !binds && have === undefined) };
      if (origin !== undefined) {
        const token = verifyToken(ctx, lfs, key, e.size, Math.floor(at.getTime() / 1000) + actions.upload!.expires_in);
        actions.verify = { href: `${origin}${LFS_ROOT}/${repo}/objects/verify`, header: { [VERIFY_TOKEN_HEADER]: token }, expires_in: actions.upload!.expires_in };
      }
      return { oid: e.oid, size: e.size, authenticated: true, actions };
    }),
  );
  sendLfs(res, 200, { transfer: 'basic', hash_algo: 'sha256', objects });
}

function parseBatch(body: unknown): { operation: Operation; entries: Entry[]; hashAlgo: string } {
  if (body === undefined) throw validationError('expected a batch request: {"operation": "upload"|"download", "objects": [{"oid", "size"}]}');
  const o = lfsObject(body, ['operation', 'transfers', 'ref', 'objects', 'hash_algo'], 'the batch request');
  if (o.operation !== 'upload' && o.operation !== 'download') throw validationError('operation must be "upload" or "download"');
  if (o.transfers !== undefined && o.transfers !== null) {
    if (!Array.isArray(o.transfers) || !o.transfers.every((t) => typeof t === 'string')) throw validationError('transfers must be a list of names');
    if (!o.transfers.includes('basic')) throw validationError('only the "basic" transfer is offered here');
  }
  checkRef(o.ref);
  if (o.hash_algo !== undefined && typeof o.hash_algo !== 'string') throw validationError('hash_algo must be a string');
  if (!Array.isArray(o.objects) || o.objects.length === 0) throw validationError('objects must be a non-empty list of {"oid", "size"}');
  if (o.objects.length > MAX_BATCH_OBJECTS) throw new LfsError(413, 'too_large', `at most ${MAX_BATCH_OBJECTS} objects per batch request`);
  const entries = (o.objects as unknown[]).map((raw): Entry => {
    const { oid, size } = typeof raw === 'object' && raw !== null ? (raw as { oid?: unknown; size?: unknown }) : {};
    const echoed = { oid: typeof oid === 'string' ? oid.slice(0, 128) : '', size: typeof size === 'number' && Number.isFinite(size) ? size : 0 };
    const check = checkObject(oid, size);
    return check.ok ? echoed : { ...echoed, problem: check.message };
  });
  return { operation: o.operation, entries, hashAlgo: o.hash_algo ?? 'sha256' };
}

/** Why the policy or storage refuses an upload of `size` bytes here, if it does. */
function uploadProblem(size: number, c: Constraints): string | undefined {
  if (c.maxSize !== undefined && size > c.maxSize) return `${size} bytes is larger than the ${c.maxSize} bytes allowed here`;
  if (size > MAX_SINGLE_PUT_BYTES) return `${size} bytes is over 5 GiB, the most storage takes in one PUT (the basic transfer's only request)`;
  if (c.contentTypes !== undefined && !contentTypeAllowed(c.contentTypes, OCTET_STREAM)) return `uploads here must be ${c.contentTypes.join(', ')}; LFS objects are ${OCTET_STREAM}`;
  return undefined;
}

async function uploadAction(ctx: RouteContext, lfs: LfsContext, key: string, e: Entry, c: Constraints, at: Date, createOnly: boolean): Promise<Action> {
  const signed = await presign(lfs.mount, {
    operation: ObjectOperations.put,
    bucket: lfs.mount.bucket,
    key,
    expiresIn: urlLifetime(ctx, c),
    now: at,
    contentLength: e.size,
    contentType: OCTET_STREAM,
    checksumSha256: oidChecksum(e.oid),
    ...((createOnly || c.createOnly) && { createOnly: true }),
  });
  return action({ ...signed, headers: { ...lfs.mount.backend.requiredUploadHeaders, ...signed.headers } }, at);
}

/** An LFS action: only href, header (the signed headers, as the client must send them) and expires_in. */
function action(signed: PresignedRequest, at: Date): Action {
  const header = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.replace(/(^|-)[a-z]/g, (s) => s.toUpperCase()), value]));
  const expires_in = Math.max(1, Math.floor((signed.expiresAt.getTime() - at.getTime()) / 1000));
  return { href: signed.url, ...(Object.keys(header).length > 0 && { header }), expires_in };
}

function refuse(e: Entry, code: number, message: string): ObjectAnswer {
  return { oid: e.oid, size: e.size, error: { code, message } };
}
