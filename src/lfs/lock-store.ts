/**
 * LFS locks kept in the object store itself, so every gateway instance (and every Lambda) sees the
 * same locks with no database. A lock is a small JSON object at
 *   <prefix>lfs/<repo>/locks/<id>     id = sha256(path), hex
 *   {"v": 1, "id", "path", "owner": {"name"}, "locked_at"}
 * Because the id names the path, two locks of one path are the same object, and creating one is
 * a create-only PUT (`If-None-Match: *`): storage itself lets exactly one of two racing creates
 * win, on any number of instances. Listing is a ListObjectsV2 page of the locks folder (its
 * continuation token is the cursor), each lock then read (16 at a time).
 *
 * Needs a backend that lists and enforces create-only writes (the S3 family, the embedded store);
 * `supportsLocks` says so, and the endpoints answer 501 elsewhere (git-lfs then stops asking).
 * Known limit: unlock is read-check-delete; a lock deleted and re-created by someone else between
 * an owner's check and delete (milliseconds) would be removed. Storage offers no conditional
 * DELETE on every backend (RGW 16 has none), so the window is documented rather than closed.
 */
import type { Mount } from '../storage/mount';
import { mapWithLimit, type ObjectCalls } from '../storage/object-calls';
import { lockIdOf, lockKey, locksKey } from './paths';

export interface Lock {
  readonly id: string;
  readonly path: string;
  readonly locked_at: string;
  readonly owner: { readonly name: string };
}

export interface LockPage {
  readonly locks: readonly Lock[];
  readonly next?: string;
}

export type CreateResult = { readonly created: true; readonly lock: Lock } | { readonly created: false; readonly lock?: Lock };

const LOCK_ID = /^[0-9a-f]{64}$/;
const READ_CONCURRENCY = 16;

export function supportsLocks(mount: Mount): boolean {
  return mount.backend.list !== undefined && mount.backend.storageEnforces.has('createOnly');
}

/** RFC 3339 with second precision, as LFS asks (`2016-05-17T15:49:06Z`). */
const rfc3339 = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

function parseLock(text: string, id: string): Lock | undefined {
  try {
    const v = JSON.parse(text) as Partial<Record<string, unknown>>;
    const owner = v.owner as { name?: unknown } | undefined;
    if (v.v !== 1 || v.id !== id || typeof v.path !== 'string' || lockIdOf(v.path) !== id || typeof v.locked_at !== 'string' || typeof owner?.name !== 'string') return undefined;
    return { id, path: v.path, locked_at: v.locked_at, owner: { name: owner.name } };
  } catch {
    return undefined;
  }
}

export interface LockStore {
  create(repo: string, path: string, owner: string, now: Date): Promise<CreateResult>;
  get(repo: string, id: string, now: Date): Promise<Lock | undefined>;
  /** One page of the repository's locks; `limit` 1..1000. */
  list(repo: string, page: { readonly cursor?: string; readonly limit: number }, now: Date): Promise<LockPage>;
  remove(repo: string, id: string, now: Date): Promise<void>;
}

export function lockStore(mount: Mount, calls: ObjectCalls): LockStore {
  const get = async (repo: string, id: string, now: Date): Promise<Lock | undefined> => {
    const text = await calls.getText(lockKey(mount.prefix, repo, id), now);
    return text === undefined ? undefined : parseLock(text, id);
  };
  return {
    get,
    async create(repo, path, owner, now) {
      const id = lockIdOf(path);
      const lock: Lock = { id, path, locked_at: rfc3339(now), owner: { name: owner } };
      const body = JSON.stringify({ v: 1, ...lock });
      // Twice: a lock seen as existing may be gone by the time it is read (unlocked meanwhile).
      for (let attempt = 0; attempt < 2; attempt++) {
        if ((await calls.putText(lockKey(mount.prefix, repo, id), body, now, { contentType: 'application/json', createOnly: true })) === 'stored') return { created: true, lock };
        const existing = await get(repo, id, now);
        if (existing) return { created: false, lock: existing };
      }
      return { created: false };
    },
    async list(repo, { cursor, limit }, now) {
      const prefix = `${locksKey(mount.prefix, repo)}/`;
      const page = await mount.backend.list!({ bucket: mount.bucket, prefix, delimiter: '/', maxKeys: limit, now, ...(cursor !== undefined && { continuationToken: cursor }) });
      const ids = page.objects.map((o) => o.key.slice(prefix.length)).filter((id) => LOCK_ID.test(id));
      const locks = (await mapWithLimit(ids, READ_CONCURRENCY, (id) => get(repo, id, now))).filter((l): l is Lock => l !== undefined);
      return { locks, ...(page.next !== undefined && { next: page.next }) };
    },
    async remove(repo, id, now) {
      await calls.delete(lockKey(mount.prefix, repo, id), now);
    },
  };
}
