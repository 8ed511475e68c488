/**
 * Folder listings: `GET <mount>/<folder>/` (a trailing slash; `<mount>/` is the mount's root).
 *
 * Policy: the `list` action, decided on the folder's key WITHOUT its trailing slash
 * (`/files/reports/2026/` -> `reports/2026`; the mount's prefix is included as for every key),
 * which is how the policy language names a folder (`home/{sub}` for the folder itself,
 * `home/{sub}/**` for what is below it). The root of a mount without a prefix has no key a
 * pattern can name, so it is listable only without a policy (the open default).
 *
 * Query: `limit` 1..1000 (default 1000), `cursor` (opaque; the previous page's `cursor`, sealed
 * by the gateway and bound to this folder: anything else is a 400 `invalid_cursor` on every
 * backend, see listing-cursor.ts).
 * Answer (one page of S3 ListObjectsV2 with delimiter "/"), keys relative to the mount:
 *   200 `{"prefix":"reports/2026/","entries":[{"name","key","size","lastModified","etag"}],
 *         "folders":[{"name","prefix"}],"cursor":"…"|null}`
 * With `Accept: text/html`: a plain HTML index (escaped names; files link to `?download`,
 * folders to their own listing, a "next page" link) under a strict CSP, no script at all.
 * Storage errors: 502 `storage_error`, 504 `storage_timeout`; a backend without listings, 501.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../http/errors';
import { keyFromPath } from '../keys/object-key';
import { Actions } from '../policy/types';
import { uriEncodeKey, uriEncode } from '../signing/uri-encode';
import type { Mount } from '../storage/mount';
import type { ListPage } from '../storage/types';
import { authorize, negotiate, notImplemented, sendBody, sendJson, type RouteContext } from './route-kit';

export const MAX_LIST_LIMIT = 1000;
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

export async function listing(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string, query: URLSearchParams): Promise<void> {
  const parsed = keyFromPath(rawKeyPath, mount.prefix);
  if (!parsed.ok) throw badRequest('invalid_key', parsed.reason);
  const storagePrefix = parsed.key; // '' or ending in '/'
  const limitText = query.get('limit');
  if (limitText !== null && !/^\d{1,4}$/.test(limitText)) throw badRequest('invalid_limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  const limit = limitText === null ? MAX_LIST_LIMIT : Number(limitText);
  if (limit < 1 || limit > MAX_LIST_LIMIT) throw badRequest('invalid_limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  const cursor = query.get('cursor');
  const continuationToken = cursor === null ? undefined : ctx.cursors.open(mount.path, storagePrefix, cursor);
  if (cursor !== null && continuationToken === undefined) {
    throw badRequest('invalid_cursor', 'cursor must be the cursor of a previous page of this same listing (after a restart without a shareKey, start the listing again)');
  }

  const { at } = await authorize(ctx, req, res, Actions.list, storagePrefix.endsWith('/') ? storagePrefix.slice(0, -1) : storagePrefix);
  if (!mount.backend.list) throw notImplemented(`listings are not supported by the ${mount.backend.kind} backend`);
  const page = await mount.backend.list({
    bucket: mount.bucket,
    prefix: storagePrefix,
    delimiter: '/',
    maxKeys: limit,
    now: at,
    ...(continuationToken !== undefined && { continuationToken }),
  });
  const next = page.next === undefined ? null : ctx.cursors.seal(mount.path, storagePrefix, page.next);
  const body = toListing(page, mount.prefix, storagePrefix, next);
  if (negotiate(req, ['application/json', 'text/html']) === 'text/html') {
    res.setHeader('Content-Security-Policy', HTML_CSP);
    sendBody(res, 200, 'text/html; charset=utf-8', renderHtml(body, mount.path, limitText));
    return;
  }
  sendJson(res, 200, body);
}

export interface Listing {
  readonly prefix: string;
  readonly entries: readonly { name: string; key: string; size: number; lastModified: string; etag: string }[];
  readonly folders: readonly { name: string; prefix: string }[];
  readonly cursor: string | null;
}

function toListing(page: ListPage, mountPrefix: string, storagePrefix: string, cursor: string | null): Listing {
  const rel = (k: string): string => k.slice(mountPrefix.length);
  return {
    prefix: rel(storagePrefix),
    // A zero-byte "folder marker" object named like the folder itself is not a file in it.
    entries: page.objects
      .filter((o) => o.key.startsWith(storagePrefix) && o.key !== storagePrefix)
      .map((o) => ({ name: o.key.slice(storagePrefix.length), key: rel(o.key), size: o.size, lastModified: o.lastModified, etag: o.etag })),
    folders: page.folders.filter((p) => p.startsWith(storagePrefix)).map((p) => ({ name: p.slice(storagePrefix.length, -1), prefix: rel(p) })),
    cursor,
  };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

function renderHtml(l: Listing, mountPath: string, limit: string | null): string {
  const href = (rel: string): string => esc(`${mountPath}/${uriEncodeKey(rel)}`);
  const rows: string[] = [];
  if (l.prefix !== '') {
    const parent = l.prefix.slice(0, -1).split('/').slice(0, -1).join('/');
    rows.push(`<tr><td><a href="${href(parent === '' ? '' : `${parent}/`)}">../</a></td><td></td><td></td></tr>`);
  }
  for (const f of l.folders) rows.push(`<tr><td><a href="${href(f.prefix)}">${esc(f.name)}/</a></td><td></td><td></td></tr>`);
  for (const e of l.entries) {
    rows.push(`<tr><td><a href="${href(e.key)}?download">${esc(e.name)}</a></td><td>${e.size}</td><td>${esc(e.lastModified)}</td></tr>`);
  }
  const next = l.cursor === null ? '' : `<p><a href="${href(l.prefix)}?cursor=${esc(uriEncode(l.cursor))}${limit === null ? '' : `&amp;limit=${esc(limit)}`}">next page</a></p>`;
  const title = esc(`${mountPath}/${l.prefix}`);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Index of ${title}</title><style>body{font-family:sans-serif}td{padding:0 1em}</style></head><body><h1>Index of ${title}</h1><table><thead><tr><th>name</th><th>size</th><th>last modified</th></tr></thead><tbody>${rows.join('')}</tbody></table>${next}</body></html>\n`;
}
