/**
 * Git LFS addressing, pure: the endpoint a request path names, repository names, object ids, and
 * where objects and locks live in storage (all under the LFS mount's prefix):
 *
 *   objects  <prefix>lfs/<repo>/objects/<oid[0:2]>/<oid[2:4]>/<oid>
 *   locks    <prefix>lfs/<repo>/locks/<lock id>          (id = sha256 of the locked path)
 *
 * The endpoint is read from the END of the path, so a repository of several segments
 * (`acme/widgets`) is unambiguous: `.../objects/batch`, `.../objects/verify`, `.../locks`,
 * `.../locks/verify`, `.../locks/<id>/unlock`. Repository segments are plain names
 * (`[A-Za-z0-9._-]`, not `.`/`..`, not the reserved `objects`/`locks`), so a repository's keys
 * can never reach another's, and the policy sees keys a pattern like `lfs/acme/**` names.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema';

export const LFS_ROOT = '/lfs';

export const LfsEndpoints = {
  batch: 'batch',
  verifyObject: 'verify-object',
  locks: 'locks',
  verifyLocks: 'verify-locks',
  unlock: 'unlock',
} as const;
export type LfsEndpoint = (typeof LfsEndpoints)[keyof typeof LfsEndpoints];

export type LfsTarget =
  | { readonly ok: true; readonly repo: string; readonly endpoint: LfsEndpoint; /** unlock only */ readonly lockId?: string }
  | { readonly ok: false; readonly status: 404 | 422; readonly message: string };

/** SHA-256 of nothing: the one valid oid of a zero-byte object. */
export const EMPTY_OID = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const OID = /^[0-9a-f]{64}$/;
const SEGMENT = /^[A-Za-z0-9._-]{1,100}$/;
const RESERVED = new Set(['objects', 'locks']);
const MAX_REPO_SEGMENTS = 8;

/** Checks a repository name (`acme/widgets`); returns the problem, or undefined when it is fine. */
export function repoProblem(repo: string): string | undefined {
  const segments = repo.split('/');
  if (repo === '' || segments.length > MAX_REPO_SEGMENTS) return `a repository is 1 to ${MAX_REPO_SEGMENTS} path segments`;
  for (const s of segments) {
    if (!SEGMENT.test(s) || s === '.' || s === '..') return `repository segments are 1-100 of A-Z a-z 0-9 . _ - (not "." or ".."): "${s}"`;
    if (RESERVED.has(s)) return `"${s}" cannot be a repository segment (it names an LFS endpoint)`;
  }
  return undefined;
}

/** `rest`: the raw path after `/lfs/`, no query. */
export function parseLfsPath(rest: string): LfsTarget {
  const parts = rest.split('/');
  const last = parts.length;
  let repoEnd: number;
  let endpoint: LfsEndpoint;
  let lockId: string | undefined;
  if (parts[last - 2] === 'objects' && parts[last - 1] === 'batch') [repoEnd, endpoint] = [last - 2, LfsEndpoints.batch];
  else if (parts[last - 2] === 'objects' && parts[last - 1] === 'verify') [repoEnd, endpoint] = [last - 2, LfsEndpoints.verifyObject];
  else if (parts[last - 1] === 'locks') [repoEnd, endpoint] = [last - 1, LfsEndpoints.locks];
  else if (parts[last - 2] === 'locks' && parts[last - 1] === 'verify') [repoEnd, endpoint] = [last - 2, LfsEndpoints.verifyLocks];
  else if (parts[last - 3] === 'locks' && parts[last - 1] === 'unlock') [repoEnd, endpoint, lockId] = [last - 3, LfsEndpoints.unlock, parts[last - 2]];
  else return { ok: false, status: 404, message: 'not a Git LFS endpoint: expected <repo>/objects/batch, <repo>/locks, <repo>/locks/verify or <repo>/locks/<id>/unlock' };
  const repo = parts.slice(0, repoEnd).join('/');
  const problem = repoProblem(repo);
  if (problem) return { ok: false, status: 404, message: problem };
  if (lockId !== undefined && !OID.test(lockId)) return { ok: false, status: 422, message: 'a lock id is 64 lowercase hex digits' };
  return { ok: true, repo, endpoint, ...(lockId !== undefined && { lockId }) };
}

export type OidCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** One object of a batch or verify request: a sha256 oid and a size that fits it. */
export function checkObject(oid: unknown, size: unknown): OidCheck {
  if (typeof oid !== 'string' || !OID.test(oid)) return { ok: false, message: 'oid must be a SHA-256: 64 lowercase hex digits' };
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return { ok: false, message: 'size must be a non-negative integer' };
  // The empty object's content is known: any other size for its oid, or size 0 for another oid, is a lie.
  if ((oid === EMPTY_OID) !== (size === 0)) return { ok: false, message: size === 0 ? `a zero-byte object has the oid ${EMPTY_OID}` : `oid ${EMPTY_OID} is the zero-byte object` };
  return { ok: true };
}

/** base64 of the oid's 32 bytes: the `x-amz-checksum-sha256` value that binds an upload to it. */
export function oidChecksum(oid: string): string {
  return Buffer.from(oid, 'hex').toString('base64');
}

/** The mount that holds LFS (`lfs.mount`, default the first), or undefined when LFS is off. */
export function lfsMountPath(config: Pick<Config, 'lfs' | 'mounts'>): string | undefined {
  return config.lfs === false ? undefined : (config.lfs.mount ?? config.mounts[0]?.path);
}

export const repoKey = (prefix: string, repo: string): string => `${prefix}lfs/${repo}`;
export const objectKey = (prefix: string, repo: string, oid: string): string => `${repoKey(prefix, repo)}/objects/${oid.slice(0, 2)}/${oid.slice(2, 4)}/${oid}`;
/** The key the lock policy is decided on (the locks "folder", as listings name folders). */
export const locksKey = (prefix: string, repo: string): string => `${repoKey(prefix, repo)}/locks`;
export const lockKey = (prefix: string, repo: string, id: string): string => `${locksKey(prefix, repo)}/${id}`;
/** A lock's id names its path, so two locks of one path are one object: create-only decides. */
export const lockIdOf = (path: string): string => createHash('sha256').update(path, 'utf8').digest('hex');
