/**
 * The rule index: a trie over the literal leading segments of every path pattern, so a decision
 * only tests the patterns whose literal prefix is a prefix of the key. Patterns that start with a
 * wildcard or a variable sit at the root, a small bucket checked for every key. Walking the trie
 * costs one Map lookup per key segment, independent of the number of rules.
 */
import type { PathPattern } from './path-pattern';
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
  readonly patterns: readonly PathPattern[];
  readonly constraints: Constraints;
  /** Prebuilt, frozen: a decision allocates nothing. */
  readonly decision: Decision;
}

export interface IndexEntry {
  readonly rule: CompiledRule;
  readonly pattern: PathPattern;
  /** Copied from the rule so the hot loop's first test touches one object. */
  readonly actionMask: number;
}

export interface TrieNode {
  readonly entries: IndexEntry[];
  children: Map<string, TrieNode> | null;
}

export function buildRuleIndex(rules: readonly CompiledRule[]): TrieNode {
  const root: TrieNode = { entries: [], children: null };
  for (const rule of rules) {
    for (const pattern of rule.patterns) {
      let node = root;
      for (const seg of pattern.literalPrefix) {
        node.children ??= new Map();
        let next = node.children.get(seg);
        if (next === undefined) {
          next = { entries: [], children: null };
          node.children.set(seg, next);
        }
        node = next;
      }
      node.entries.push({ rule, pattern, actionMask: rule.actionMask });
    }
  }
  return root;
}

/**
 * Calls `visit(entry, depth)` for every candidate pattern of `segs`: those filed at the root and
 * along the path of the key's leading segments. `depth` is how many key segments the literal
 * prefix already consumed. Stops early when `visit` returns false.
 */
export function forEachCandidate(root: TrieNode, segs: readonly string[], visit: (entry: IndexEntry, depth: number) => boolean): void {
  let node: TrieNode | undefined = root;
  for (let depth = 0; node !== undefined; depth++) {
    for (const entry of node.entries) if (!visit(entry, depth)) return;
    if (depth >= segs.length || node.children === null) return;
    node = node.children.get(segs[depth] as string);
  }
}
