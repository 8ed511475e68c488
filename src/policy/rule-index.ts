/**
 * The rule index: every path pattern is filed where only keys it might match will look, so a
 * decision tests a handful of candidate patterns however many rules there are. A pattern is
 * split at its first and last `**`:
 *
 *   head / ** / middle / ** / tail        e.g.  `home/{sub}/**`, `**\/*.exe`, `**\/node_modules/**`
 *
 * - the head (before the first `**`; the whole pattern when it has none) is a path in a trie
 *   walked from the key's first segment;
 * - the tail (after the last `**`) is a path in a second trie under the head's node, walked from
 *   the key's LAST segment backwards (`**\/*.exe`, `**\/name`, `**\/dir/*.pdf`);
 * - otherwise a literal segment of the middle files it by name, looked up for every key segment
 *   below the head (`**\/node_modules/**`);
 * - what has none of these (`**`, `a/**`, `**\/*`) sits at the head's node, tested whenever a
 *   key reaches it.
 * Trie edges per key segment: a literal (Map); a glob by its extension, when its last literal
 * piece has a dot (`*.exe`, `*.tar.gz` under "exe", "gz": a key segment ending in such a piece
 * has the same text after its last dot); other globs by their last piece, or, ending in `*`, by
 * their first (`*~`, `~$*`: one Map per end, looked up once per distinct piece length); and one
 * "any one segment" edge for `*`, variables and globs with no literal end. A walk costs a few Map
 * lookups per key segment, independent of the rule count; with 10,000 rules its cost is mostly
 * cache misses on the few nodes and rules it touches. Candidates are then matched in full
 * (segment-match.ts): the index only has to never miss one.
 */
import type { PathPattern, Segment } from './path-pattern';
import type { PrincipalSelector } from './principal-selector';
import type { Constraints, Decision } from './types';

export interface CompiledRule {
  /** Position in the document: ties between equally specific allows go to the earlier rule. */
  readonly index: number;
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  /** One bit per action (see `ACTION_BITS`). */
  readonly actionMask: number;
  readonly principals: readonly PrincipalSelector[];
  /** Some selector is `*`: no principal test needed. */
  readonly anyone: boolean;
  /** Already normalized for the rule's matching options (match-options.ts). */
  readonly patterns: readonly PathPattern[];
  /** Which key view the patterns match (match-options.ts `viewOf`). */
  readonly view: number;
  readonly constraints: Constraints;
  /** Prebuilt, frozen: a decision allocates nothing. */
  readonly decision: Decision;
}

export interface IndexEntry {
  readonly rule: CompiledRule;
  readonly pattern: PathPattern;
  /** Copied from the rule and the pattern so the decision loop touches few objects (10,000 rules do not stay in cache). */
  readonly actionMask: number;
  readonly specificity: number;
  /** `pattern.rest`, matched from key segment `start` (after the literal prefix). */
  readonly rest: readonly Segment[];
  readonly start: number;
}

export interface IndexNode {
  /** The actions of every pattern filed here or below: a walk skips nodes without the asked one. */
  mask: number;
  /** Patterns without `**` that end here: candidates when the key ends here too. */
  fixed: IndexEntry[] | null;
  /** Patterns tested whenever a walk reaches this node (in a tail trie: the tail is complete). */
  open: IndexEntry[] | null;
  lit: Map<string, IndexNode> | null;
  /** Globs whose last piece has a dot, by the text after its last dot. */
  ext: Map<string, IndexNode> | null;
  /** Other globs with a last piece, by that piece. */
  suffix: Affixes | null;
  /** Globs ending in `*`, by their first piece. */
  prefix: Affixes | null;
  /** `*`, variables, globs with no literal end. */
  any: IndexNode | null;
  /** The reversed trie of tails after a `**` (head trie only). */
  tail: IndexNode | null;
  /** Middle literals between two `**` (head trie only). */
  anywhere: Map<string, IndexEntry[]> | null;
}

export interface Affixes {
  readonly byText: Map<string, IndexNode>;
  /** The distinct lengths of the pieces, ascending. */
  readonly lengths: number[];
}

export type RuleIndex = IndexNode;

const newNode = (): IndexNode => ({ mask: 0, fixed: null, open: null, lit: null, ext: null, suffix: null, prefix: null, any: null, tail: null, anywhere: null });

function mapChild(map: Map<string, IndexNode>, text: string): IndexNode {
  let n = map.get(text);
  if (n === undefined) map.set(text, (n = newNode()));
  return n;
}

function affixChild(a: Affixes, text: string): IndexNode {
  if (!a.lengths.includes(text.length)) {
    a.lengths.push(text.length);
    a.lengths.sort((x, y) => x - y);
  }
  return mapChild(a.byText, text);
}

/** The child of `node` a pattern segment is filed under. */
function child(node: IndexNode, seg: Segment): IndexNode {
  if (seg.kind === 'literal') return mapChild((node.lit ??= new Map<string, IndexNode>()), seg.text);
  if (seg.kind === 'glob') {
    const last = seg.parts[seg.parts.length - 1] ?? '';
    const first = seg.parts[0] ?? '';
    const dot = last.lastIndexOf('.');
    if (dot >= 0) return mapChild((node.ext ??= new Map<string, IndexNode>()), last.slice(dot + 1));
    if (last !== '') return affixChild((node.suffix ??= { byText: new Map(), lengths: [] }), last);
    if (first !== '') return affixChild((node.prefix ??= { byText: new Map(), lengths: [] }), first);
  }
  return (node.any ??= newNode());
}

const anchored = (s: Segment): boolean => s.kind === 'literal' || (s.kind === 'glob' && ((s.parts[0] ?? '') !== '' || (s.parts[s.parts.length - 1] ?? '') !== ''));

function file(root: IndexNode, entry: IndexEntry): void {
  const segs = entry.pattern.segments;
  const first = segs.findIndex((s) => s.kind === 'globstar');
  const mark = (n: IndexNode): IndexNode => {
    n.mask |= entry.actionMask;
    return n;
  };
  let node = mark(root);
  for (const s of first === -1 ? segs : segs.slice(0, first)) node = mark(child(node, s));
  if (first === -1) {
    (node.fixed ??= []).push(entry);
    return;
  }
  const last = segs.findLastIndex((s) => s.kind === 'globstar');
  const tail = segs.slice(last + 1);
  if (tail.some(anchored)) {
    let t = mark((node.tail ??= newNode()));
    for (let i = tail.length - 1; i >= 0; i--) t = mark(child(t, tail[i] as Segment));
    (t.open ??= []).push(entry);
    return;
  }
  const middle = segs.slice(first + 1, last).find((s) => s.kind === 'literal');
  if (middle?.kind === 'literal') {
    node.anywhere ??= new Map();
    const list = node.anywhere.get(middle.text);
    if (list === undefined) node.anywhere.set(middle.text, [entry]);
    else list.push(entry);
    return;
  }
  (node.open ??= []).push(entry);
}

/** Every entry filed at or below `node`. */
function entriesBelow(node: IndexNode, out: IndexEntry[]): IndexEntry[] {
  out.push(...(node.fixed ?? []), ...(node.open ?? []));
  for (const list of node.anywhere?.values() ?? []) out.push(...list);
  const children = [node.any, node.tail, ...(node.lit?.values() ?? []), ...(node.ext?.values() ?? []), ...(node.suffix?.byText.values() ?? []), ...(node.prefix?.byText.values() ?? [])];
  for (const c of children) if (c !== null) entriesBelow(c, out);
  return out;
}

/** At most this many patterns below a node are simply tested there, not walked to. */
const SMALL = 4;

/**
 * Collapses every subtree holding at most SMALL patterns into its top node's `open` list: each
 * node a walk visits is a likely cache miss once 10,000 rules no longer fit in cache, and a
 * candidate tested from higher up is matched in full, from its first segment. Returns the number
 * of patterns at or below `node`.
 */
function collapse(node: IndexNode): number {
  let below = (node.fixed?.length ?? 0) + (node.open?.length ?? 0);
  for (const list of node.anywhere?.values() ?? []) below += list.length;
  const children = [node.any, node.tail, ...(node.lit?.values() ?? []), ...(node.ext?.values() ?? []), ...(node.suffix?.byText.values() ?? []), ...(node.prefix?.byText.values() ?? [])];
  for (const c of children) if (c !== null) below += collapse(c);
  if (below <= SMALL && below > 0) {
    const mask = node.mask;
    // Tested from above its place, a pattern is matched from its first segment, literal prefix included.
    const open = entriesBelow(node, []).map((e) => (e.start === 0 ? e : { ...e, rest: e.pattern.segments, start: 0 }));
    Object.assign(node, newNode(), { mask, open });
  }
  return below;
}

export function buildRuleIndex(rules: readonly CompiledRule[]): RuleIndex {
  const root = newNode();
  for (const rule of rules) {
    for (const pattern of rule.patterns) {
      file(root, { rule, pattern, actionMask: rule.actionMask, specificity: pattern.specificity, rest: pattern.rest, start: pattern.literalPrefix.length });
    }
  }
  collapse(root);
  return root;
}
