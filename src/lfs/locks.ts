/**
 * The File Locking API (git-lfs docs/api/locking.md), on the lock store (lock-store.ts):
 *
 *   POST <repo>/locks                 {"path", "ref"?}        201 {lock} | 409 {lock, message}
 *   GET  <repo>/locks?path=&id=&cursor=&limit=                200 {locks, next_cursor?}
 *   POST <repo>/locks/verify          {"cursor"?, "limit"?, "ref"?}   200 {ours, theirs, next_cursor?}
 *   POST <repo>/locks/<id>/unlock     {"force"?, "ref"?}      200 {lock} | 403 | 404
 *
 * Listing needs `read` on `<prefix>lfs/<repo>/locks` (the protocol asks for pull access); creating,
 * verifying and unlocking need `write` there, and unlocking someone else's lock (`force`) needs
 * `delete` there too: the lock-admin right. "Ours" are the locks whose owner name is the caller's
 * subject. Pages hold at most 100 locks (`limit` above that is lowered, as the protocol lets a
 * server bound it). A backend that cannot keep locks answers 501, which git-lfs takes as "no
 * locking here" and stops verifying.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Actions } from '../policy/types';
import type { RouteContext } from '../routes/route-kit';
import { authorizeTo, mayAlso, ownerName } from './access';
import type { LfsContext } from './context';
import { supportsLocks, type Lock, type LockPage } from './lock-store';
import { lockIdOf, locksKey } from './paths';
import { checkRef, LfsError, lfsObject, readLfsJson, sendLfs, validationError } from './protocol';

const BODY_LIMIT = 16 * 1024;
const MAX_PAGE = 100;
const MAX_LOCK_PATH_BYTES = 4096;
const CURSOR = /^[\x21-\x7e]{1,2048}$/;
const LOCK_ID = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

function requireLocking(lfs: LfsContext): void {
  if (!supportsLocks(lfs.mount)) throw new LfsError(501, 'not_implemented', `file locking is not available on the ${lfs.mount.backend.kind} backend (it needs listings and create-only writes)`);
}

export async function createLock(ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string): Promise<void> {
  const body = lfsObject(await readLfsJson(req, res, BODY_LIMIT), ['path', 'ref'], 'the lock request');
  checkRef(body.ref);
  const { path } = body;
  if (typeof path !== 'string' || path === '' || Buffer.byteLength(path) > MAX_LOCK_PATH_BYTES || CONTROL.test(path)) {
    throw validationError(`path must be a file path of 1 to ${MAX_LOCK_PATH_BYTES} bytes without control characters`);
  }
  const { principal, at } = await authorizeTo(ctx, req, res, Actions.write, locksKey(lfs.mount.prefix, repo), `you may not lock files in ${repo}`);
  requireLocking(lfs);
  const result = await lfs.locks.create(repo, path, ownerName(principal), at);
  if (result.created) {
    sendLfs(res, 201, { lock: result.lock });
    return;
  }
  throw new LfsError(409, 'conflict', `${path} is already locked${result.lock ? ` by ${result.lock.owner.name}` : ''}`, result.lock ? { lock: result.lock } : {});
}

export async function listLocks(ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string, query: URLSearchParams): Promise<void> {
  const page = pageOf(query.get('cursor') ?? undefined, query.get('limit') ?? undefined);
  const path = query.get('path') || undefined;
  const id = query.get('id') || undefined;
  const { at } = await authorizeTo(ctx, req, res, Actions.read, locksKey(lfs.mount.prefix, repo), `you may not list the locks of ${repo}`);
  requireLocking(lfs);
  let found: LockPage;
  if (path !== undefined || id !== undefined) {
    // A path names exactly one possible lock, and so does an id: one read, no listing.
    const wanted = id ?? lockIdOf(path!);
    const lock = LOCK_ID.test(wanted) ? await lfs.locks.get(repo, wanted, at) : undefined;
    found = { locks: lock && (path === undefined || lock.path === path) ? [lock] : [] };
  } else {
    found = await lfs.locks.list(repo, page, at);
  }
  sendLfs(res, 200, { locks: found.locks, ...(found.next !== undefined && { next_cursor: found.next }) });
}

export async function verifyLocks(ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string): Promise<void> {
  const body = lfsObject((await readLfsJson(req, res, BODY_LIMIT)) ?? {}, ['cursor', 'limit', 'ref'], 'the verify request');
  checkRef(body.ref);
  if (body.cursor !== undefined && body.cursor !== null && typeof body.cursor !== 'string') throw validationError('cursor must be a string');
  if (body.limit !== undefined && body.limit !== null && typeof body.limit !== 'number') throw validationError('limit must be a number');
  const page = pageOf(body.cursor || undefined, body.limit === undefined || body.limit === null ? undefined : String(body.limit));
  const { principal, at } = await authorizeTo(ctx, req, res, Actions.write, locksKey(lfs.mount.prefix, repo), `you may not push to ${repo}, so its locks are not verified for you`);
  requireLocking(lfs);
  const found = await lfs.locks.list(repo, page, at);
  const me = ownerName(principal);
  const ours: Lock[] = [];
  const theirs: Lock[] = [];
  for (const lock of found.locks) (lock.owner.name === me ? ours : theirs).push(lock);
  sendLfs(res, 200, { ours, theirs, ...(found.next !== undefined && { next_cursor: found.next }) });
}

export async function unlock(ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string, id: string): Promise<void> {
  const body = lfsObject((await readLfsJson(req, res, BODY_LIMIT)) ?? {}, ['force', 'ref'], 'the unlock request');
  checkRef(body.ref);
  if (body.force !== undefined && typeof body.force !== 'boolean') throw validationError('force must be true or false');
  const key = locksKey(lfs.mount.prefix, repo);
  const { principal, at } = await authorizeTo(ctx, req, res, Actions.write, key, `you may not unlock files in ${repo}`);
  requireLocking(lfs);
  const lock = await lfs.locks.get(repo, id, at);
  if (!lock) throw new LfsError(404, 'not_found', `no lock ${id} in ${repo}`);
  if (lock.owner.name !== ownerName(principal)) {
    if (body.force !== true) throw new LfsError(403, 'forbidden', `${lock.path} is locked by ${lock.owner.name}; only they can unlock it (or someone allowed to force it: --force)`);
    if (!mayAlso(ctx, res, principal, Actions.delete, key)) throw new LfsError(403, 'forbidden', `you may not force-unlock locks in ${repo} (that needs the delete right on its locks)`);
  }
  await lfs.locks.remove(repo, id, at);
  sendLfs(res, 200, { lock });
}

/** cursor and limit, from a query or a body; a limit above MAX_PAGE is lowered to it. */
function pageOf(cursor: string | undefined, limit: string | undefined): { cursor?: string; limit: number } {
  if (cursor !== undefined && !CURSOR.test(cursor)) throw validationError('cursor must be a next_cursor this server returned');
  let n = MAX_PAGE;
  if (limit !== undefined && limit !== '') {
    if (!/^\d{1,9}$/.test(limit)) throw validationError('limit must be a non-negative integer');
    if (Number(limit) > 0) n = Math.min(Number(limit), MAX_PAGE); // 0: the server's choice
  }
  return { limit: n, ...(cursor !== undefined && { cursor }) };
}
