/**
 * Path -> object key: the one function every route uses, so policy is always checked on
 * exactly the key that gets signed (s3-proxy's CVE-2026-42882 came from checking one path form
 * and signing another).
 *
 * Input is the raw, still percent-encoded path below the mount (`reports/q3%20final.pdf`).
 * It is decoded exactly once (`%2F` becomes `/`; `%252F` stays the literal `%2F`), as strict
 * UTF-8, and then validated on the decoded segments, so no spelling of `..` gets through.
 * Pure: no express, no I/O.
 */

export const MAX_KEY_BYTES = 1024;

export type KeyParse =
  | { readonly ok: true; readonly key: string; /** Ended in `/`: a folder, not an object. */ readonly folder: boolean }
  | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// C0 controls, DEL and C1 controls: never meaningful in a key, often an attack on logs or parsers.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * @param rawPath the part of the raw URL path after the mount's `/`, not decoded.
 * @param prefix  the mount's key prefix (already validated: empty or ending in `/`).
 */
export function keyFromPath(rawPath: string, prefix = ''): KeyParse {
  const decoded = percentDecode(rawPath);
  if (decoded === undefined) return fail('malformed percent-encoding or invalid UTF-8 in path');
  if (decoded === '') return { ok: true, key: prefix, folder: true };

  const folder = decoded.endsWith('/');
  const body = folder ? decoded.slice(0, -1) : decoded;
  const problem = checkSegments(body);
  if (problem) return fail(problem);

  const key = prefix + decoded;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return fail(`key is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`);
  return { ok: true, key, folder };
}

/** Validates a configured key prefix with the same rules as keys. */
export function checkPrefix(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (!prefix.endsWith('/')) return 'must be empty or end with "/"';
  return checkSegments(prefix.slice(0, -1));
}

function checkSegments(body: string): string | undefined {
  if (CONTROL.test(body)) return 'control characters are not allowed in keys';
  if (body.includes('\\')) return 'backslashes are not allowed in keys (ambiguous path separator)';
  for (const segment of body.split('/')) {
    if (segment === '') return 'empty path segments ("//", leading or doubled "/") are not allowed';
    if (segment === '.' || segment === '..') return '"." and ".." segments are not allowed';
  }
  return undefined;
}

/**
 * Strict percent-decoding to bytes, then strict UTF-8. Bytes above 0x7f that arrive unencoded
 * (Node hands them over as latin1 code units) are taken as the UTF-8 bytes they were.
 */
export function percentDecode(raw: string): string | undefined {
  if (!raw.includes('%') && isAscii(raw)) return raw;
  const bytes = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      bytes[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c > 0xff) {
      return undefined;
    } else {
      bytes[n++] = c;
    }
  }
  try {
    return utf8.decode(bytes.subarray(0, n));
  } catch {
    return undefined;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// Stryker disable next-line BlockStatement: an empty body answers undefined, which only skips percentDecode's fast path
function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(s);
}

function fail(reason: string): KeyParse {
  return { ok: false, reason };
}
