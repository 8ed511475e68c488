/**
 * RFC 3986 percent-encoding as SigV4 and S3 use it: every byte except the unreserved
 * characters `A-Z a-z 0-9 - . _ ~` is encoded as %XX (upper-case hex), UTF-8 first.
 * encodeURIComponent leaves `! ' ( ) *` alone, so those are patched afterwards.
 */

const EXTRA = /[!'()*]/g;
const toHex = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;

/** Encodes one query key/value or one path segment. */
export function uriEncode(value: string): string {
  if (UNRESERVED.test(value)) return value; // the common case, on every request: nothing to encode
  return encodeURIComponent(value).replace(EXTRA, toHex);
}

/** Encodes an object key for a URL path: each segment encoded, `/` kept (S3's greedy label). */
export function uriEncodeKey(key: string): string {
  if (UNRESERVED_OR_SLASH.test(key)) return key;
  return key.split('/').map(uriEncode).join('/');
}
