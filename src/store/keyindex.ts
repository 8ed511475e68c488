/**
 * In-memory sorted key index of one bucket, so listing never scans the disk. Built at start
 * from the object trailers and updated on every commit/delete (under the key's lock, so it
 * follows the file system's order). Keys sort in UTF-8 byte order, as S3 lists them; that is
 * code-point order, which differs from JS's UTF-16 order only for astral characters.
 */

export interface IndexEntry {
  readonly size: number;
  readonly etag: string;
  readonly mtime: number;
}

/** Code-point (= UTF-8 byte) order. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate encodes a code point above U+FFFF, so it sorts after every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** What to resume after: a key, or a common prefix (every key under it is skipped). */
export type Marker = { readonly kind: 'key' | 'prefix'; readonly value: string };

export interface ListQuery {
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly after?: Marker;
}

export interface ListPage {
  readonly contents: { readonly key: string; readonly entry: IndexEntry }[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** Marker for the next page when truncated. */
  readonly next?: Marker;
}

export class KeyIndex {
  private readonly keys: string[] = [];
  private readonly entries = new Map<string, IndexEntry>();

  /** Bulk build (one sort instead of n sorted inserts). */
  static from(entries: readonly (readonly [string, IndexEntry])[]): KeyIndex {
    const idx = new KeyIndex();
    for (const [k, e] of entries) idx.entries.set(k, e);
    for (const k of idx.entries.keys()) idx.keys.push(k);
    idx.keys.sort(compareKeys);
    return idx;
  }

  get size(): number {
    return this.keys.length;
  }

  get(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: IndexEntry): void {
    if (!this.entries.has(key)) this.keys.splice(this.lowerBound(key), 0, key);
    this.entries.set(key, entry);
  }

  delete(key: string): void {
    if (!this.entries.delete(key)) return;
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** First index whose key is >= k. */
  private lowerBound(k: string, from = 0): number {
    let lo = from;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid] as string, k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index at or after `from` whose key does not start with p (keys with p are contiguous). */
  private endOfPrefix(p: string, from: number): number {
    let lo = from;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid] as string;
      if (k.startsWith(p) || compareKeys(k, p) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  list(q: ListQuery): ListPage {
    const { prefix, delimiter, maxKeys } = q;
    let i = this.lowerBound(prefix);
    if (q.after) {
      const { kind, value } = q.after;
      const j = kind === 'prefix' ? this.endOfPrefix(value, this.lowerBound(value)) : this.lowerBound(value);
      i = Math.max(i, this.keys[j] === value ? j + 1 : j);
    }
    const contents: { key: string; entry: IndexEntry }[] = [];
    const commonPrefixes: string[] = [];
    let last: Marker | undefined;
    const n = this.keys.length;
    while (i < n && contents.length + commonPrefixes.length < maxKeys) {
      const key = this.keys[i] as string;
      if (!key.startsWith(prefix)) break;
      const d = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (d >= 0) {
        const cp = key.slice(0, d + delimiter.length);
        commonPrefixes.push(cp);
        last = { kind: 'prefix', value: cp };
        i = this.endOfPrefix(cp, i);
      } else {
        contents.push({ key, entry: this.entries.get(key) as IndexEntry });
        last = { kind: 'key', value: key };
        i++;
      }
    }
    const isTruncated = maxKeys > 0 && last !== undefined && i < n && (this.keys[i] as string).startsWith(prefix);
    return isTruncated && last ? { contents, commonPrefixes, isTruncated, next: last } : { contents, commonPrefixes, isTruncated: false };
  }
}
