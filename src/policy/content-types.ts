/**
 * Content-Type patterns for upload constraints: `type/subtype`, `type/*` or `*\/*`.
 * Media types are case-insensitive (RFC 9110 §8.3.1), so patterns are stored lowercased and a
 * request's Content-Type is compared lowercased, without its parameters (`; charset=...`).
 * A Content-Type is read by the strict RFC 9110 grammar (src/content/media-type.ts): a value
 * that is not exactly one media type (a comma, a broken parameter) matches nothing.
 */
import { parseMediaType } from '../content/media-type';

// RFC 9110 token characters minus `*`, which patterns reserve for "any".
const TOKEN = /^[!#$%&'+.^_`|~0-9a-z-]+$/;

/** Returns the normalized pattern, or null when it is not a valid media-type pattern. */
export function normalizeContentTypePattern(pattern: string): string | null {
  const lower = pattern.trim().toLowerCase();
  const parts = lower.split('/');
  if (parts.length !== 2) return null;
  const [type = '', subtype = ''] = parts;
  if (type === '*') return subtype === '*' ? lower : null; // `*/png` means nothing
  return TOKEN.test(type) && (subtype === '*' || TOKEN.test(subtype)) ? lower : null;
}

/** The bare media type of a Content-Type header value, lowercased; null when absent or malformed. */
export function mediaTypeOf(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const parsed = parseMediaType(contentType);
  return parsed.ok ? parsed.mediaType.essence : null;
}

/**
 * Whether an upload's Content-Type satisfies an allow's `contentTypes` constraint.
 * No constraint (undefined) accepts anything, including a missing header; with a constraint a
 * missing or malformed Content-Type is refused, so a client cannot dodge it by omission.
 */
export function contentTypeAllowed(patterns: readonly string[] | undefined, contentType: string | undefined): boolean {
  if (patterns === undefined) return true;
  const media = mediaTypeOf(contentType);
  if (media === null) return false;
  const typeWildcard = `${media.slice(0, media.indexOf('/'))}/*`;
  return patterns.some((p) => p === '*/*' || p === media || p === typeWildcard);
}
