/**
 * LFS requests for `signpost policy explain`: (method, path, query) -> the (action, key) the LFS
 * server decides on, so explain needs to know nothing about LFS beyond this one call. Objects are
 * named by oid the way a client thinks of them (the batch API decides per object the same way):
 *
 *   GET  /lfs/<repo>/objects/<oid>          read    download
 *   PUT  /lfs/<repo>/objects/<oid>          write   upload (and its verify)
 *   GET  /lfs/<repo>/locks                  read    list locks
 *   POST /lfs/<repo>/locks, .../locks/verify, .../locks/<id>/unlock    write
 *   POST /lfs/<repo>/locks/<id>/unlock?force                           delete (someone else's lock)
 *
 * Returns undefined for a path outside /lfs/, so the caller goes on with the mounts.
 */
import { Actions, type Action } from '../policy/types';
import { LFS_ROOT, locksKey, objectKey, repoProblem } from './paths';

export type LfsExplainTarget = { readonly ok: true; readonly action: Action; readonly key: string } | { readonly ok: false; readonly message: string };

const OID = /^[0-9a-f]{64}$/;

/** @param prefix the LFS mount's key prefix. */
export function lfsExplainTarget(method: string, path: string, query: URLSearchParams, prefix: string): LfsExplainTarget | undefined {
  if (!path.startsWith(`${LFS_ROOT}/`)) return undefined;
  const parts = path.slice(LFS_ROOT.length + 1).split('/');
  const m = method.toUpperCase();
  const objects = parts.lastIndexOf('objects');
  if (objects !== -1 && objects === parts.length - 2) {
    const repo = parts.slice(0, objects).join('/');
    const oid = parts[objects + 1]!;
    const problem = repoProblem(repo) ?? (OID.test(oid) ? undefined : 'an oid is 64 lowercase hex digits');
    if (problem) return { ok: false, message: problem };
    if (m !== 'GET' && m !== 'PUT') return { ok: false, message: 'objects: GET (download) or PUT (upload)' };
    return { ok: true, action: m === 'GET' ? Actions.read : Actions.write, key: objectKey(prefix, repo, oid) };
  }
  const locks = parts.lastIndexOf('locks');
  if (locks === -1) return { ok: false, message: 'LFS paths: /lfs/<repo>/objects/<oid> or /lfs/<repo>/locks[...]' };
  const repo = parts.slice(0, locks).join('/');
  const problem = repoProblem(repo);
  if (problem) return { ok: false, message: problem };
  const key = locksKey(prefix, repo);
  if (m === 'GET' && locks === parts.length - 1) return { ok: true, action: Actions.read, key };
  if (m !== 'POST') return { ok: false, message: 'locks: GET (list) or POST (create, verify, unlock)' };
  return { ok: true, action: parts[parts.length - 1] === 'unlock' && query.has('force') ? Actions.delete : Actions.write, key };
}
