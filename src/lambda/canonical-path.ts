/**
 * The one place a Lambda request path is normalised before the express app sees it.
 *
 * Contract: `canonicalPath(path, decoded)` returns the canonical encoded form of the path -
 * decoded exactly once, then every segment re-encoded with S3's RFC 3986 rules (`/` kept) - or
 * a reason to answer 400. keyFromPath decodes the canonical form back to exactly that decoded
 * path, so the key the policy sees is the key that gets signed, whichever door delivered it.
 *
 * Why decode the encoded doors too: a decoded door turns `%2F` into `/` and nothing can tell
 * them apart afterwards. keyFromPath already treats `%2F` as `/` inside a key; decoding here
 * extends that to the mount part (`/files%2Fa` = `/files/a`), so every door routes a request
 * the same way. (The long-lived server, reading the raw target, answers `/files%2Fa` with 404.)
 *
 * Why reject `%` and `?` from a decoded door: an HTTP API truncates a path at a decoded `%3F`
 * and decodes `%25xx` twice, so a `%` or `?` that survives to the Lambda proves the path went
 * through a second decoding; the key the client meant cannot be known. Paths the door truncated
 * before the Lambda ran cannot be detected at all: the deploy docs say to use the REST API
 * front door when keys may contain `?` or `%`.
 */
import { percentDecode } from '../keys/object-key';
import { uriEncodeKey } from '../signing/uri-encode';

export type CanonicalPath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

export function canonicalPath(path: string, decoded: boolean): CanonicalPath {
  if (!path.startsWith('/')) return { ok: false, reason: 'the request path must start with "/"' };
  let text: string | undefined;
  if (decoded) {
    if (!isWellFormed(path)) return { ok: false, reason: 'invalid Unicode in path' };
    if (path.includes('%') || path.includes('?')) {
      return {
        ok: false,
        reason: 'this front door (API Gateway HTTP API) decoded the path more than once, so the key cannot be known; encode "%" and "?" in keys only behind a REST API, Function URL or ALB',
      };
    }
    text = path;
  } else {
    const ascii = escapeNonAscii(path);
    text = ascii === undefined ? undefined : percentDecode(ascii);
    if (text === undefined) return { ok: false, reason: 'malformed percent-encoding or invalid UTF-8 in path' };
  }
  return { ok: true, path: uriEncodeKey(text) };
}

/**
 * Event strings are Unicode, not bytes: a client that sent raw UTF-8 bytes arrives as Unicode
 * characters, which percentDecode (built for Node's latin1 request targets) would misread.
 * Escape them as their UTF-8 bytes first; existing %XX escapes are left as they are.
 */
function escapeNonAscii(path: string): string | undefined {
  try {
    // eslint-disable-next-line no-control-regex
    return path.replace(/[^\u0000-\u007f]+/g, (run) => encodeURIComponent(run));
  } catch {
    return undefined; // lone surrogate
  }
}

function isWellFormed(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
