/**
 * SigV4 primitives, pure and synchronous: percent-coding, canonical URI/query/headers, signing-key
 * derivation (cached) and signature computation. auth.ts decides *what* to verify; this module
 * only reproduces byte for byte what the AWS signer computes, so it is tested against AWS's own
 * documented example. S3 rules: the path is not normalized ('.', '..', '//' stay), each byte
 * outside A-Za-z0-9-._~ is %XX-encoded (upper-case hex), '/' is kept in paths.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const HEX = '0123456789ABCDEF';
// 1 = byte is written as itself; indexed by byte value.
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;

/** RFC 3986 encoding of raw bytes as SigV4 wants it; `keepSlash` for paths. */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const b of bytes) {
    if (UNRESERVED[b] === 1 || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += '%' + HEX.charAt(b >> 4) + HEX.charAt(b & 15);
  }
  return out;
}

export function uriEncode(s: string, keepSlash: boolean): string {
  return uriEncodeBytes(Buffer.from(s, 'utf8'), keepSlash);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Decodes %XX escapes of a raw request-target fragment once, into bytes ('+' stays '+': it is literal in paths, and the AWS signer
 * never emits it for a space). Returns null on a malformed escape, which callers answer with 400.
 */
export function percentDecode(s: string): Buffer | null {
  // Node hands over the request target as latin1 (one char per byte), so this recovers the
  // exact bytes even if a client sent raw non-ASCII instead of %XX.
  const src = Buffer.from(s, 'latin1');
  if (!src.includes(0x25)) return src;
  const out = Buffer.allocUnsafe(src.length);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b !== 0x25) {
      out[j++] = b;
      continue;
    }
    const hi = hexVal(src[i + 1] ?? -1);
    const lo = hexVal(src[i + 2] ?? -1);
    if (hi < 0 || lo < 0) return null;
    out[j++] = (hi << 4) | lo;
    i += 2;
  }
  return out.subarray(0, j);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Strict UTF-8 decoding: object keys must be valid UTF-8, as in S3. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export interface QueryParam {
  readonly name: string;
  readonly value: string;
}

/** Parses a raw query string into decoded params; null if an escape is malformed or not UTF-8. */
export function parseQuery(raw: string): QueryParam[] | null {
  const params: QueryParam[] = [];
  if (raw === '') return params;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const n = percentDecode(eq < 0 ? part : part.slice(0, eq));
    const v = percentDecode(eq < 0 ? '' : part.slice(eq + 1));
    if (n === null || v === null) return null;
    const name = decodeUtf8(n);
    const value = decodeUtf8(v);
    if (name === null || value === null) return null;
    params.push({ name, value });
  }
  return params;
}

/** Sorted, re-encoded `name=value&...`; the signature parameter itself is never signed. */
export function canonicalQuery(params: readonly QueryParam[]): string {
  const pairs: [string, string][] = [];
  for (const p of params) {
    if (p.name === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(p.name, false), uriEncode(p.value, false)]);
  }
  // Encoded strings are ASCII, so code-unit order is byte order.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Header values as the signer sees them: trimmed, inner whitespace runs collapsed to one space. */
export function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalRequest(
  method: string,
  canonicalUri: string,
  canonicalQueryString: string,
  signedHeaders: readonly string[],
  headerValue: (name: string) => string,
  payloadHash: string,
): string {
  let headers = '';
  for (const h of signedHeaders) headers += `${h}:${headerValue(h)}\n`;
  return `${method}\n${canonicalUri}\n${canonicalQueryString}\n${headers}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

export function stringToSign(amzDate: string, scope: string, canonicalRequestText: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequestText)}`;
}

// The derived key only changes with (secret, day, region, service): cache it, bounded, so a
// request costs two HMACs instead of six.
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_MAX = 64;

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\n${region}\n${service}\n${secret}`;
  const hit = keyCache.get(id);
  if (hit) return hit;
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  const key = createHmac('sha256', kService).update('aws4_request').digest();
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

export function signature(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/** Constant-time comparison of two hex signatures (a malformed one simply does not match). */
export function signaturesEqual(expected: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'));
}

/** `YYYYMMDDTHHMMSSZ` -> epoch ms, or null if the text or the date is invalid. */
export function parseAmzDate(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const t = new Date(ms);
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return ms;
}
