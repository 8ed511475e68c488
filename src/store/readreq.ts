/**
 * What a read request (GET/HEAD) asks, per RFC 9110 as S3 applies it: the conditional headers
 * (If-Match / If-Unmodified-Since -> 412, If-None-Match / If-Modified-Since -> 304) and the
 * Range. One `bytes=` range (a-b, a-, or suffix -n) is honoured; a syntactically invalid header
 * or several ranges are ignored (whole object, 200, as S3 does); a valid range that starts past
 * the end is 416 InvalidRange.
 */
import { S3Error, preconditionFailed } from './errors';
import { toHttpDate } from './http';
import type { ObjectMeta } from './layout';
import type { StoreRequest } from './request';

/** Weak comparison of an If-Match / If-None-Match list against an object's ETag. */
function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === `"${etag}"` || tag === etag;
  });
}

function parseHttpDate(s: string | undefined): number | null {
  if (s === undefined) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

/** RFC 9110 §13.2.2 order, as S3 applies it to GET/HEAD. */
export function checkReadConditions(r: StoreRequest, meta: ObjectMeta): void {
  const ifMatch = r.header('if-match');
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, meta.etag)) throw preconditionFailed('If-Match');
  } else {
    const since = parseHttpDate(r.header('if-unmodified-since'));
    if (since !== null && meta.mtime > since) throw preconditionFailed('If-Unmodified-Since');
  }
  const notModified = (): S3Error =>
    new S3Error('NotModified', 'Not Modified', { headers: { ETag: `"${meta.etag}"`, 'Last-Modified': toHttpDate(meta.mtime) } });
  const ifNoneMatch = r.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, meta.etag)) throw notModified();
  } else {
    const since = parseHttpDate(r.header('if-modified-since'));
    if (since !== null && meta.mtime <= since) throw notModified();
  }
}

export type RangeResult =
  | { readonly kind: 'none' } // send the whole object
  | { readonly kind: 'range'; readonly start: number; readonly end: number } // inclusive
  | { readonly kind: 'unsatisfiable' };

const NONE: RangeResult = { kind: 'none' };
const UNSATISFIABLE: RangeResult = { kind: 'unsatisfiable' };

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return NONE;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return NONE; // includes multi-range `bytes=0-1,5-6`
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return NONE;
  if (first === '') {
    const n = Number(last);
    if (n === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return NONE; // invalid syntax per RFC 9110: ignored
  if (!Number.isSafeInteger(start) || start >= size) return UNSATISFIABLE;
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}
