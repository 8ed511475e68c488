/**
 * Walking the rule index (rule-index.ts) for one key: the patterns that might match it, handed
 * to a sink as lists (nothing allocated; recursion, not a work list). Runs on every decision.
 */
import type { Affixes, IndexEntry, IndexNode, RuleIndex } from './rule-index';

/** Receives candidate patterns as the walk finds them (no array of candidates is built). */
export interface CandidateSink {
  /** The asked action's bit: only nodes holding patterns for it are walked. */
  readonly bit: number;
  take(list: readonly IndexEntry[]): void;
}

/**
 * Walks `node` with key segment `i` next: forwards in the head trie; backwards (`floor` = the
 * first segment the tail may use) in a tail trie. Recursion, not a work list: nothing allocated.
 */
function walk(node: IndexNode, segs: readonly string[], i: number, floor: number, out: CandidateSink): void {
  if ((node.mask & out.bit) === 0) return;
  const n = segs.length;
  if (node.open !== null) out.take(node.open);
  if (node.fixed !== null && i === n) out.take(node.fixed);
  if (node.anywhere !== null) {
    for (let j = i; j < n; j++) {
      const list = node.anywhere.get(segs[j] as string);
      if (list !== undefined) out.take(list);
    }
  }
  if (node.tail !== null) walk(node.tail, segs, n - 1, i, out);
  const backwards = floor >= 0;
  if (backwards ? i < floor : i >= n) return;
  const seg = segs[i] as string;
  const next = backwards ? i - 1 : i + 1;
  const lit = node.lit?.get(seg);
  if (lit !== undefined) walk(lit, segs, next, floor, out);
  if (node.any !== null) walk(node.any, segs, next, floor, out);
  if (node.ext !== null) {
    const dot = seg.lastIndexOf('.');
    const byExt = dot < 0 ? undefined : node.ext.get(seg.slice(dot + 1));
    if (byExt !== undefined) walk(byExt, segs, next, floor, out);
  }
  if (node.suffix !== null) walkAffixes(node.suffix, seg, true, segs, next, floor, out);
  if (node.prefix !== null) walkAffixes(node.prefix, seg, false, segs, next, floor, out);
}

function walkAffixes(a: Affixes, seg: string, atEnd: boolean, segs: readonly string[], next: number, floor: number, out: CandidateSink): void {
  for (const length of a.lengths) {
    if (length > seg.length) return;
    const found = a.byText.get(atEnd ? seg.slice(seg.length - length) : seg.slice(0, length));
    if (found !== undefined) walk(found, segs, next, floor, out);
  }
}

/**
 * Hands `out` every pattern that might match the key `segs` (each once, except that a middle
 * literal occurring twice in the key repeats its patterns; matching them again is harmless).
 */
export function collectCandidates(index: RuleIndex, segs: readonly string[], out: CandidateSink): void {
  walk(index, segs, 0, -1, out);
}
