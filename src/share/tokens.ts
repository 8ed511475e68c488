/**
 * Share-link capability tokens: `<expiry>.<mac>`, where expiry is Unix seconds and mac is
 * base64url(HMAC-SHA256(shareKey, "signpost-share-v1\n<mount>\n<key>\nread\n<expiry>")).
 *
 * The token grants exactly one thing: reading that key under that mount until the expiry. The
 * key and mount are not inside the token (they are the URL's path), so a token moved to another
 * path fails verification. Revocation is by rotating the share key (every link dies). Pure
 * given the key and the clock; comparisons are constant-time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type ShareCheck = 'ok' | 'invalid' | 'expired';

export interface ShareSigner {
  /** True when the key was generated at start (links die on restart). */
  readonly ephemeral: boolean;
  sign(mountPath: string, key: string, expiresAtSeconds: number): string;
  verify(mountPath: string, key: string, token: string, nowSeconds: number): ShareCheck;
}

const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** @param secret the configured share key (any string of at least 32 characters); absent: random per start. */
export function createShareSigner(secret?: string): ShareSigner {
  const key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const mac = (mountPath: string, objectKey: string, exp: number): Buffer =>
    createHmac('sha256', key).update(`signpost-share-v1\n${mountPath}\n${objectKey}\nread\n${exp}`).digest();

  return {
    ephemeral: secret === undefined,
    sign: (mountPath, objectKey, exp) => `${exp}.${mac(mountPath, objectKey, exp).toString('base64url')}`,
    verify: (mountPath, objectKey, token, now) => {
      const m = TOKEN.exec(token);
      if (!m) return 'invalid';
      const exp = Number(m[1]);
      const given = Buffer.from(m[2]!, 'base64url');
      const expected = mac(mountPath, objectKey, exp);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      return now >= exp ? 'expired' : 'ok';
    },
  };
}
