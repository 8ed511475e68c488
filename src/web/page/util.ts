/**
 * Pure helpers of the page (no DOM), unit-tested in test/web/util.test.ts.
 */

/** Percent-encodes each segment of a key (keeps the `/` separators). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The gateway path of a key (or a folder prefix ending in `/`) under a mount. */
export function keyPath(mount: string, key: string): string {
  return `${mount}/${encodeKey(key)}`;
}

/**
 * The listing URL of a folder: `prefix` is '' (the mount's root) or ends in '/', so the path
 * always ends in exactly one '/' (`/files/`, never `/files//`, which the gateway refuses).
 */
export function listingPath(mount: string, prefix: string, cursor: string | null = null): string {
  return `${keyPath(mount, prefix)}${cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`}`;
}

export function joinKey(prefix: string, name: string): string {
  return `${prefix}${name}`;
}

/** `#/files/reports/2026/` -> mount `/files`, prefix `reports/2026/` (decoded). */
export function parseHash(hash: string, mounts: readonly string[]): { mount: string; prefix: string } {
  const fallback = mounts[0] ?? '/files';
  let path: string;
  try {
    path = decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return { mount: fallback, prefix: '' };
  }
  const mount = [...mounts].sort((a, b) => b.length - a.length).find((m) => path === m || path.startsWith(`${m}/`));
  if (mount === undefined) return { mount: fallback, prefix: '' };
  const rest = path.slice(mount.length).replace(/^\/+/, '');
  const segments = rest.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  return { mount, prefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
}

export function hashFor(mount: string, prefix: string): string {
  return `#${mount}/${encodeKey(prefix)}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i] ?? 'TiB'}`;
}

/** A gateway error in plain words; `detail` is the gateway's own message, when it gave one. */
export function describeError(status: number, detail: string, signedIn: boolean): string {
  const extra = detail ? ` (${detail})` : '';
  switch (status) {
    case 401:
      return signedIn ? `Your key or token was not accepted: sign in again.${extra}` : `You need to sign in for this.${extra}`;
    case 403:
      return `Not allowed: your key does not grant this here.${extra}`;
    case 404:
      return `Not found.${extra}`;
    case 410:
      return `This link has expired.${extra}`;
    case 411:
      return `The file size was not sent.${extra}`;
    case 412:
      return `A file with this name already exists, and this folder does not allow replacing files.${extra}`;
    case 413:
      return `Too large for this folder.${extra}`;
    case 415:
      return `This type of file is not accepted in this folder.${extra}`;
    case 428:
      return `This folder only accepts new files (no replacing).${extra}`;
    case 429:
      return `Too many requests: wait a moment and try again.${extra}`;
    case 501:
      return `This storage does not support that.${extra}`;
    case 502:
    case 503:
    case 504:
      return `Storage is unavailable right now: try again.${extra}`;
    default:
      return `The gateway answered ${status}.${extra}`;
  }
}
