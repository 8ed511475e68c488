/**
 * Where an Uppy upload goes: decided by the gateway from what the plugin sends when an upload
 * starts (the file name, and the `folder` field of the file's Uppy meta), never from a key the
 * client names later. `folder` is a gateway path (`/files/home/alice/photos`, leading slash
 * optional); it picks the mount (longest path wins, as for every request) and the folder below
 * it. Without `folder`, a gateway with a single mount uses its root. Folder and name are
 * percent-encoded segment by segment and then go through the one path -> key function, so they
 * get exactly the checks (and the policy sees exactly the key) of `PUT <folder>/<name>`.
 */
import { badRequest, HttpError } from '../http/errors';
import { FILENAME_VARIABLE } from '../signing/post-policy';
import type { Mount } from '../storage/mount';
import { objectKeyOf } from '../routes/route-kit';

export interface UploadTarget {
  readonly mount: Mount;
  /** The storage key (mount prefix included). */
  readonly key: string;
}

const MAX_FOLDER_CHARS = 2048;

export function uploadTarget(mounts: readonly Mount[], folder: unknown, filename: unknown): UploadTarget {
  if (typeof filename !== 'string' || filename === '') throw badRequest('invalid_filename', 'filename (the file\'s name) is required');
  if (folder !== undefined && folder !== null && typeof folder !== 'string') throw badRequest('invalid_folder', 'metadata.folder must be a string: a gateway path such as /files/inbox');
  if (typeof folder === 'string' && folder.length > MAX_FOLDER_CHARS) throw badRequest('invalid_folder', 'metadata.folder is too long');
  const path = typeof folder === 'string' && folder !== '' ? `/${folder.replace(/^\/+/, '').replace(/\/+$/, '')}` : undefined;
  const mount = path === undefined ? onlyMount(mounts) : longestMount(mounts, path);
  const below = path === undefined ? '' : path.slice(mount.path.length + 1);
  const encoded = encodePath([...(below === '' ? [] : below.split('/')), filename]);
  const key = objectKeyOf(encoded, mount);
  // S3 would replace `${filename}` in a POST form's key after checking the policy.
  if (key.includes(FILENAME_VARIABLE)) throw badRequest('invalid_key', 'keys containing "${filename}" cannot be uploaded through this endpoint');
  return { mount, key };
}

/** The gateway path of a stored key (for answers), percent-encoded. */
export function gatewayPath(mount: Mount, key: string): string {
  return `${mount.path}/${key.slice(mount.prefix.length).split('/').map(encodeURIComponent).join('/')}`;
}

function encodePath(segments: readonly string[]): string {
  try {
    return segments.map(encodeURIComponent).join('/');
  } catch {
    throw badRequest('invalid_filename', 'the folder or file name is not valid Unicode'); // a lone surrogate
  }
}

function onlyMount(mounts: readonly Mount[]): Mount {
  if (mounts.length === 1) return mounts[0]!;
  throw badRequest('folder_required', `set the file's Uppy meta "folder" to a gateway path under one of: ${mounts.map((m) => m.path).join(', ')}`);
}

function longestMount(mounts: readonly Mount[], path: string): Mount {
  let best: Mount | undefined;
  for (const m of mounts) if ((path === m.path || path.startsWith(`${m.path}/`)) && (!best || m.path.length > best.path.length)) best = m;
  if (!best) throw new HttpError(404, 'no_such_mount', `metadata.folder ${JSON.stringify(path)} is not under any mount (${mounts.map((m) => m.path).join(', ')})`);
  return best;
}
