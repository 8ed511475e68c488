/**
 * Share links: a capability to read one file, usable without credentials.
 *
 * Create: `POST <mount>/<key>?share[&ttl=SECONDS]` (or a JSON body `{"ttl": SECONDS}`). Needs
 * the `share` action AND the `read` action on the exact key (nobody shares what they cannot
 * read). ttl defaults to 24 h and is capped at 7 days. Answer:
 *   200 `{"url":"http://host/files/<key>?share=<token>","path":"/files/<key>?share=<token>","expiresAt":"…"}`
 * (`url` is built on the gateway's public base URL, http/public-base.ts: the configured
 * `publicUrl`, else what the entry point vouches for (Lambda: the front door's domain; the server:
 * its listening address), never the Host header; without one, `path` only).
 *
 * Open: `GET|HEAD <mount>/<key>?share=<token>[&download[=name]]` -> 307 to a fresh presigned URL
 * (the normal URL lifetime), no credentials asked for: the token is the capability, bound by
 * HMAC-SHA256 to the mount, the key, the read action and the expiry (src/share/tokens.ts).
 * Tampered or moved to another key: 403 `invalid_share_link`; past its expiry: 410
 * `share_link_expired`. The token travels in the query string, which the request log never
 * prints. Revocation: rotate the share key (all links die); links made with a key generated at
 * start (no `shareKey` configured) die on restart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardUnwantedBody } from '../http/discard-body';
import { badRequest, forbidden, HttpError } from '../http/errors';
import { publicBaseFor } from '../http/public-base';
import { facts } from '../http/request-log';
import { Actions } from '../policy/types';
import { uriEncodeKey } from '../signing/uri-encode';
import type { Mount } from '../storage/mount';
import { ObjectOperations } from '../storage/types';
import { dispositionFor } from './downloads';
import { allowed, authorize, jsonObject, objectKeyOf, presign, readSmallJson, redirect, sendJson, type RouteContext } from './route-kit';

export const DEFAULT_SHARE_TTL_SECONDS = 24 * 3600;
export const MAX_SHARE_TTL_SECONDS = 7 * 24 * 3600;

export async function createShareLink(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string, query: URLSearchParams): Promise<void> {
  const key = objectKeyOf(rawKeyPath, mount);
  let ttlValue: unknown = query.get('ttl') ?? undefined;
  if (ttlValue === undefined) {
    const body = await readSmallJson(req, res);
    if (body !== undefined) ttlValue = jsonObject(body, ['ttl']).ttl;
  } else {
    discardUnwantedBody(req, res);
  }
  const ttl = parseTtl(ttlValue);
  const { at, principal } = await authorize(ctx, req, res, Actions.share, key);
  allowed(ctx, res, principal, Actions.read, key);
  facts(res).action = Actions.share;

  const expires = Math.floor(at.getTime() / 1000) + ttl;
  const token = ctx.share.sign(mount.path, key, expires);
  const path = `${mount.path}/${uriEncodeKey(key.slice(mount.prefix.length))}?share=${token}`;
  const base = publicBaseFor(req, ctx.publicUrl);
  sendJson(res, 200, {
    ...(base !== undefined && { url: `${base}${path}` }),
    path,
    expiresAt: new Date(expires * 1000).toISOString(),
  });
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
  const at = ctx.now();
  ctx.limits?.chargeAddress(req, at); // before the token is checked: guessing links costs too
  const check = ctx.share.verify(mount.path, key, token, Math.floor(at.getTime() / 1000));
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
  const d = !isHead && (query.has('download') || query.has('inline')) ? dispositionFor(key, query) : undefined;
  const signed = await presign(mount, {
    operation: isHead ? ObjectOperations.head : ObjectOperations.get,
    bucket: mount.bucket,
    key,
    expiresIn: Math.min(ctx.urlTtl, 300),
    now: at,
    ...(d && { responseContentDisposition: d.disposition }),
    ...(d?.contentType !== undefined && { responseContentType: d.contentType }),
  });
  redirect(res, signed.url);
}
