/**
 * Listing cursors are the gateway's own: it hands out a sealed form of storage's continuation
 * token and accepts back only what it sealed, so a cursor that did not come from a previous page
 * is a 400 on every backend before storage sees it. (Storage disagreed about garbage: the
 * embedded store and S3 refuse it with a 400 the gateway could only report as 502, Ceph RGW
 * takes any token as a start marker and answers an empty or wrong page.)
 *
 * Contract: `seal(mount, prefix, token)` -> `<base64url(token)>.<base64url(mac)>`, where mac is
 * HMAC-SHA256 over (mount path, listing prefix, token) truncated to 128 bits, so a cursor only
 * continues the listing it came from. `open` returns the token for exactly that form (canonical
 * base64url, no padding, the right length) and undefined for anything else. Not encrypted: the
 * token is no secret, the caller was shown it page by page.
 *
 * The key is derived from the share key (HMAC(shareKey, label): one secret, separate keys per
 * purpose), so every instance configured with the same share key accepts the others' cursors.
 * Without one it is random per start, like share links: after a restart a client is told to
 * start the listing over (400 `invalid_cursor`), which beats a wrong page.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const MAX_CURSOR_LENGTH = 4096;
const MAC_BYTES = 16;
const LABEL = 'signpost listing cursor v1';
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface CursorSealer {
  seal(mountPath: string, prefix: string, token: string): string;
  /** The continuation token sealed for this mount and prefix, or undefined. */
  open(mountPath: string, prefix: string, cursor: string): string | undefined;
}

export function createCursorSealer(shareKey: string | undefined): CursorSealer {
  const key = shareKey === undefined ? randomBytes(32) : createHmac('sha256', shareKey).update(LABEL).digest();
  const mac = (mountPath: string, prefix: string, token: Buffer): Buffer =>
    createHmac('sha256', key).update(`${mountPath}\0${prefix}\0`).update(token).digest().subarray(0, MAC_BYTES);

  return {
    seal(mountPath, prefix, token) {
      const bytes = Buffer.from(token, 'utf8');
      return `${bytes.toString('base64url')}.${mac(mountPath, prefix, bytes).toString('base64url')}`;
    },
    open(mountPath, prefix, cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
      const dot = cursor.indexOf('.');
      const body = cursor.slice(0, dot);
      const tag = cursor.slice(dot + 1);
      if (dot < 1 || !B64URL.test(body) || !B64URL.test(tag)) return undefined;
      const token = Buffer.from(body, 'base64url');
      const given = Buffer.from(tag, 'base64url');
      // One spelling per cursor: the decoder forgives stray bits in the last character.
      if (token.toString('base64url') !== body || given.toString('base64url') !== tag || given.length !== MAC_BYTES) return undefined;
      if (!timingSafeEqual(given, mac(mountPath, prefix, token))) return undefined;
      return token.toString('utf8');
    },
  };
}
