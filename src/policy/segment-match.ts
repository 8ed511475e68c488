/**
 * Matching a parsed pattern's remaining segments against a key's segments for one principal.
 * Exact string comparison of the segments given (a rule's matching options normalize key and
 * pattern before: match-options.ts). Variables bind one whole RAW key segment that must equal the
 * caller's value; anonymous callers never satisfy a variable.
 */
import type { Segment, Variable } from './path-pattern';
import { claimValueEquals } from './principal-selector';
import type { Principal } from './types';

const SLASH = 0x2f, DOT = 0x2e;

/**
 * Splits a key into segments, or returns null for a key no pattern may match: empty, with empty,
 * `.` or `..` segments, or with control characters. Keys reaching `decide` are already normalized
 * by the gateway; this is the policy's own guard so a bug upstream fails closed. One pass over the
 * characters (it is a third of a decision's cost, so no regex plus split).
 */
export function splitKey(key: string): string[] | null {
  const n = key.length;
  if (n === 0) return null;
  const segs: string[] = [];
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? SLASH : key.charCodeAt(i);
    if (c === SLASH) {
      const len = i - start;
      if (len === 0 || (len <= 2 && key.charCodeAt(start) === DOT && (len === 1 || key.charCodeAt(start + 1) === DOT))) return null;
      segs.push(key.slice(start, i));
      start = i + 1;
    } else if (c < 0x20 || c === 0x7f) {
      return null;
    }
  }
  return segs;
}

/** Within-segment glob: `parts` are the literal pieces between `*`s (at least two pieces). */
function globMatches(parts: readonly string[], s: string): boolean {
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  // Leftmost placement of each middle piece is optimal: it leaves the most room for the rest.
  let pos = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i] ?? '';
    const at = s.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

/**
 * Whether key segment `seg` equals the caller's value for `v`. `seg` comes from `splitKey`, so it
 * is non-empty, not `.`/`..` and has no `/`; equality therefore also rules out caller values that
 * are empty, `.`, `..` or contain `/` — such values can never bind.
 */
export function variableMatches(v: Variable, principal: Principal, seg: string): boolean {
  if (principal.kind !== 'user' || seg === '' || seg === '.' || seg === '..' || seg.includes('/')) return false;
  switch (v.kind) {
    case 'sub':
      return principal.subject === seg;
    case 'group':
      return principal.groups.includes(seg);
    case 'claim':
      return Object.hasOwn(principal.claims, v.name) && claimValueEquals(principal.claims[v.name], seg);
  }
}

function segmentMatches(p: Segment, principal: Principal, seg: string, rawSeg: string): boolean {
  switch (p.kind) {
    case 'literal':
      return p.text === seg;
    case 'any':
      return true;
    case 'glob':
      return globMatches(p.parts, seg);
    case 'var':
      return variableMatches(p.variable, principal, rawSeg);
    case 'globstar':
      return false; // handled by the caller
  }
}

/**
 * Matches `pat` against `key[start..]`. Classic wildcard matching at segment granularity with
 * backtracking only to the latest `**`: O(segments x pattern segments) worst case, no recursion.
 * When `positions` is given, it receives for each pattern segment the key index it matched.
 * `raw` is the key as sent when `key` is a normalized view of it (variables compare with `raw`).
 */
export function matchRest(pat: readonly Segment[], key: readonly string[], start: number, principal: Principal, positions?: number[], raw: readonly string[] = key): boolean {
  let p = 0, s = start, starP = -1, starS = 0;
  while (s < key.length) {
    const cur = pat[p];
    if (cur !== undefined && cur.kind === 'globstar') {
      starP = p++;
      starS = s;
    } else if (cur !== undefined && segmentMatches(cur, principal, key[s] as string, raw[s] as string)) {
      if (positions) positions[p] = s;
      p++;
      s++;
    } else if (starP >= 0) {
      p = starP + 1;
      s = ++starS;
    } else {
      return false;
    }
  }
  while (pat[p]?.kind === 'globstar') p++;
  return p === pat.length;
}
