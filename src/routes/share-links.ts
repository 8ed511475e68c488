/**
 * Share links: a capability to read one file, usable without credentials.
 *
 * Create: `POST <mount>/<key>?share[&ttl=SECONDS][&download[=NAME]]` (or a JSON body
 * `{"ttl": SECONDS, "download": "NAME"}`). Needs the `share` action AND the `read` action on the
 * exact key (nobody shares what they cannot read). ttl defaults to 24 h and is capped at 7 days.
 * A download name is checked like `?download=` (src/content/download-name.ts: it keeps the
 * extension unless the read rule allows renaming) and is covered by the token. Answer:
 *   200 `{"url":"<public base>/files/<key>?share=<token>[&download=NAME]","path":"/files/…","expiresAt":"…"}`
 * `url` comes from the configured public base URL (`publicUrl` / SIGNPOST_PUBLIC_URL) or, without
 * one, the base the entry point vouches for (Lambda: the front door's domain), else the address
 * the server listens on; never from `Host` or `X-Forwarded-*`. With neither
 * (e.g. a wildcard bind address), only `path` is answered.
 *
 * Open: `GET|HEAD <mount>/<key>?share=<token>[&download[=NAME]|&inline]` -> 307 to a fresh
 * presigned URL (the normal URL lifetime), no credentials asked for: the token is the
 * capability, bound by HMAC-SHA256 to the mount, the key, the read action, the expiry and the
 * download name (src/share/tokens.ts). A GET gets the same signed overrides as any read
 * (src/content/serve-as.ts): passive types shown with their type, everything else an attachment
 * (a share link never shows active content inline, whatever the rules say). Tampered, renamed
 * or moved to another key: 403 `forbidden`; past its expiry: 410 `share_link_expired`. The
 * token travels in the query string, which the request log never prints. Revocation: rotate the
 * share key (all links die); links made with a key generated at start (no `shareKey`
 * configured) die on restart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRename } from '../content/download-name';
import { serveAs, ServeModes } from '../content/serve-as';
import { discardUnwantedBody } from '../http/discard-body';
import { badRequest, forbidden, HttpError } from '../http/errors';
import { facts } from '../http/request-log';
import { Actions } from '../policy/types';
import { uriEncodeKey } from '../signing/uri-encode';
import type { Mount } from '../storage/mount';
import { ObjectOperations } from '../storage/types';
import { requestedServing, type Serving } from './downloads';
import { allowed, authorize, jsonObject, objectKeyOf, presign, readSmallJson, redirect, sendJson, type RouteContext } from './route-kit';

export const DEFAULT_SHARE_TTL_SECONDS = 24 * 3600;
export const MAX_SHARE_TTL_SECONDS = 7 * 24 * 3600;
export async function createShareLink(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string, query: URLSearchParams): Promise<void> {
  const key = objectKeyOf(rawKeyPath, mount);
  let ttlValue: unknown = query.get('ttl') ?? undefined;
  let serving: Serving = requestedServing(query);
  if (ttlValue === undefined) {
    const body = await readSmallJson(req, res);
    if (body !== undefined) {
      const o = jsonObject(body, ['ttl', 'download']);
      ttlValue = o.ttl;
      if (o.download !== undefined) {
        if (typeof o.download !== 'string') throw badRequest('invalid_download_name', '"download" must be a string (the file name)');
        if (serving.mode === ServeModes.download) throw badRequest('invalid_download_name', 'give the download name in the query or in the body, not both');
        serving = requestedServing(new URLSearchParams([['download', o.download]]));
      }
    }
  } else {
    discardUnwantedBody(req, res);
  }
  const ttl = parseTtl(ttlValue);
  const { at, principal } = await authorize(ctx, req, res, Actions.share, key);
  const constraints = allowed(ctx, res, principal, Actions.read, key);
  facts(res).action = Actions.share;
  if (serving.name !== undefined) checkRename(serving.name, key, constraints.renameDownloads === true);

  const expires = Math.floor(at.getTime() / 1000) + ttl;
  const token = ctx.share.sign(mount.path, key, expires, serving.name ?? '');
  const named = serving.name === undefined ? '&download' : `&download=${encodeURIComponent(serving.name)}`;
  const path = `${mount.path}/${uriEncodeKey(key.slice(mount.prefix.length))}?share=${token}${serving.mode === ServeModes.download ? named : ''}`;
  const base = ctx.publicUrl(req);
  sendJson(res, 200, { ...(base !== undefined && { url: `${base}${path}` }), path, expiresAt: new Date(expires * 1000).toISOString() });
}

function parseTtl(value: unknown): number {
  if (value === undefined) return DEFAULT_SHARE_TTL_SECONDS;
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw badRequest('invalid_ttl', 'ttl must be a whole number of seconds, at least 1');
  return Math.min(n, MAX_SHARE_TTL_SECONDS);
}

export async function openShareLink(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string, query: URLSearchParams): Promise<void> {
  const f = facts(res);
  f.action = Actions.read;
  f.principal = 'share-link';
  const key = objectKeyOf(rawKeyPath, mount);
  const token = query.get('share') ?? '';
  const serving = requestedServing(query);
  const at = ctx.now();
  ctx.limits?.chargeAddress(req, at); // before the token is checked: guessing links costs too
  const check = ctx.share.verify(mount.path, key, token, Math.floor(at.getTime() / 1000), serving.name ?? '');
  if (check === 'invalid') {
    f.denyReason = 'invalid share token';
    throw forbidden('this share link is not valid');
  }
  if (check === 'expired') {
    f.denyReason = 'expired share token';
    throw new HttpError(410, 'share_link_expired', 'this share link has expired');
  }
  f.rule = 'share-link';
  const isHead = req.method === 'HEAD';
  const signed = await presign(mount, {
    operation: isHead ? ObjectOperations.head : ObjectOperations.get,
    bucket: mount.bucket,
    key,
    expiresIn: Math.min(ctx.urlTtl, 300),
    now: at,
    ...(!isHead && serveAs(key, serving.mode, serving.name === undefined ? {} : { name: serving.name })),
  });
  redirect(res, signed.url);
}
