/**
 * Share-link capability tokens: `<expiry>.<mac>`, where expiry is Unix seconds and mac is
 * base64url(HMAC-SHA256(shareKey, "signpost-share-v1\n<mount>\n<key>\nread\n<expiry>"
 * [+ "\ndownload\n<name>" when the link fixes a download name])).
 *
 * The token grants exactly one thing: reading that key under that mount until the expiry, saved
 * under that name if it names one. Key, mount and name are not inside the token (they are the
 * URL's path and `download` parameter), so a token moved to another path or given another name
 * fails verification. None of them can hold a newline (keys and names refuse control
 * characters, mount paths are letters and punctuation), so the message is unambiguous; links
 * without a name sign the same message as before names were covered, and keep working.
 *
 * One token, one spelling: the expiry has no leading zeros and the MAC is compared as the
 * base64url text the signer produces (the unused low bits of its last character included), so
 * no other encoding of the same token is accepted. Pure given the key and the clock;
 * comparisons are constant-time. Revocation is by rotating the share key (every link dies).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type ShareCheck = 'ok' | 'invalid' | 'expired';

export interface ShareSigner {
  /** True when the key was generated at start (links die on restart). */
  readonly ephemeral: boolean;
  /** `downloadName`: the name the link saves the file under ('' or absent: the key's own). */
  sign(mountPath: string, key: string, expiresAtSeconds: number, downloadName?: string): string;
  verify(mountPath: string, key: string, token: string, nowSeconds: number, downloadName?: string): ShareCheck;
}

const TOKEN = /^([1-9]\d{0,11})\.[A-Za-z0-9_-]{43}$/;

/** @param secret the configured share key (any string of at least 32 characters); absent: random per start. */
export function createShareSigner(secret?: string): ShareSigner {
  const key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const sign = (mountPath: string, objectKey: string, exp: number, name = ''): string => {
    const message = `signpost-share-v1\n${mountPath}\n${objectKey}\nread\n${exp}${name === '' ? '' : `\ndownload\n${name}`}`;
    return `${exp}.${createHmac('sha256', key).update(message).digest('base64url')}`;
  };

  return {
    ephemeral: secret === undefined,
    sign,
    verify: (mountPath, objectKey, token, now, name = '') => {
      const m = TOKEN.exec(token);
      if (!m) return 'invalid';
      const exp = Number(m[1]);
      const given = Buffer.from(token, 'latin1');
      const expected = Buffer.from(sign(mountPath, objectKey, exp, name), 'latin1');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      return now >= exp ? 'expired' : 'ok';
    },
  };
}
