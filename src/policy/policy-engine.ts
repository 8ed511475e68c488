/**
 * compilePolicy: a validated policy document -> `decide` and `explain`.
 *
 * Semantics:
 * - A rule matches when the action is among its actions, any principal selector matches the
 *   caller, and any of its path patterns matches the key.
 * - Deny overrides allow: any matching deny rule denies (the earliest in the file is reported).
 * - Otherwise the most specific matching allow decides, and only its constraints apply; ties go
 *   to the earlier rule in the file. "Most specific" ranks a rule by its most specific pattern
 *   that matched (see `compareSpecificity`). We chose this over merging the strictest
 *   constraints of all matching allows because it lets a narrow rule deliberately loosen a broad
 *   one (`videos/**` may take 5GiB although `**` caps uploads at 10MB), a decision names exactly
 *   one rule whose limits apply, and "never loosen" is what deny rules are for.
 * - No matching allow -> deny with rule null. Malformed keys and unknown actions are denied.
 */
import { compareSpecificity, parsePathPattern, type PathPattern } from './path-pattern';
import { policyDocumentSchema, type PolicyDocument, type PolicyDocumentInput, type PolicyRule } from './policy-schema';
import { formatProblem, problemsFromIssues, type PolicyProblem } from './policy-problems';
import { parsePrincipalSelector, type PrincipalSelector } from './principal-selector';
import { buildRuleIndex, forEachCandidate, type CompiledRule, type IndexEntry, type TrieNode } from './rule-index';
import { matchRest, splitKey } from './segment-match';
import { ALL_ACTIONS, type Action, type Constraints, type Decide, type Decision, type Principal } from './types';

export interface MatchedRule {
  readonly ruleId: string;
  readonly effect: 'allow' | 'deny';
  /** The rule's most specific pattern that matched this key. */
  readonly pattern: string;
  /** Variable values bound from the key, e.g. `{ sub: 'alice' }` or `{ 'claim.dept': 'finance' }`. */
  readonly bound: Readonly<Record<string, string>>;
}

export interface Explanation {
  readonly decision: Decision;
  /** Every matching rule, in file order. */
  readonly matched: readonly MatchedRule[];
  /** The constraints the decision carries; null when denied. */
  readonly constraints: Constraints | null;
}

export interface PolicyEngine {
  readonly decide: Decide;
  explain(principal: Principal, action: Action, key: string): Explanation;
  readonly ruleCount: number;
  /** The validated rules, for checks that need them at startup (e.g. what storage can enforce). */
  readonly rules: readonly PolicyRule[];
}

export class PolicyError extends Error {
  constructor(readonly problems: readonly PolicyProblem[]) {
    super(`invalid policy:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'PolicyError';
  }
}

// Maps, not object literals: an action named "toString" must find nothing, not Object.prototype's.
const ACTION_BITS: ReadonlyMap<string, number> = new Map(ALL_ACTIONS.map((a, i) => [a, 1 << i]));

function deny(rule: string | null, reason: string): Decision {
  return Object.freeze({ effect: 'deny', rule, reason });
}

const MALFORMED_KEY = deny(null, 'key is not a valid object key');
const UNKNOWN_ACTION = deny(null, 'unknown action');
const NO_ALLOW: ReadonlyMap<string, Decision> = new Map(ALL_ACTIONS.map((a) => [a, deny(null, `no rule allowed ${a} on this key for this caller`)]));

function constraintsOf(r: PolicyRule): Constraints {
  // Spelled out so absent constraints are absent keys (exactOptionalPropertyTypes, clean logs).
  return Object.freeze({
    ...(r.maxSize !== undefined && { maxSize: r.maxSize }),
    ...(r.contentTypes !== undefined && { contentTypes: Object.freeze([...r.contentTypes]) }),
    ...(r.ttl !== undefined && { ttl: r.ttl }),
    ...(r.createOnly !== undefined && { createOnly: r.createOnly }),
    ...(r.inlineActive !== undefined && { inlineActive: r.inlineActive }),
    ...(r.renameDownloads !== undefined && { renameDownloads: r.renameDownloads }),
  });
}

function mustParse<R extends { ok: true }>(r: R | { ok: false; message: string }): R {
  if (!r.ok) throw new Error(r.message); // unreachable: the schema ran the same parsers
  return r;
}

function compileRule(r: PolicyRule, index: number): CompiledRule {
  const actions = r.actions.includes('*') ? ALL_ACTIONS : (r.actions as Action[]);
  const principals: PrincipalSelector[] = r.principals.map((p) => mustParse(parsePrincipalSelector(p)).selector);
  const patterns: PathPattern[] = r.paths.map((p) => mustParse(parsePathPattern(p)).pattern);
  const constraints = constraintsOf(r);
  return {
    index,
    id: r.id,
    effect: r.effect,
    actionMask: actions.reduce((m, a) => m | (ACTION_BITS.get(a) ?? 0), 0),
    principals,
    anyone: principals.some((p) => p.anyone),
    patterns,
    constraints,
    decision:
      r.effect === 'allow'
        ? Object.freeze({ effect: 'allow', rule: r.id, constraints })
        : deny(r.id, `denied by rule "${r.id}"`),
  };
}

function principalMatches(rule: CompiledRule, principal: Principal): boolean {
  if (rule.anyone) return true;
  for (const s of rule.principals) if (s.matches(principal)) return true;
  return false;
}

/** Whether allow candidate `a` should replace the current best `b`. */
function beats(a: IndexEntry, b: IndexEntry): boolean {
  const c = compareSpecificity(a.pattern.specificity, b.pattern.specificity);
  return c > 0 || (c === 0 && a.rule.index < b.rule.index);
}

/** Compiles an already validated document (see `compilePolicy` for untrusted input). */
export function buildPolicyEngine(doc: PolicyDocument): PolicyEngine {
  const rules = doc.rules.map(compileRule);
  const root = buildRuleIndex(rules);

  const decide: Decide = (principal, action, key) => {
    const bit = ACTION_BITS.get(action);
    if (bit === undefined) return UNKNOWN_ACTION;
    const segs = typeof key === 'string' ? splitKey(key) : null;
    if (segs === null) return MALFORMED_KEY;
    let denied: CompiledRule | undefined;
    let best: IndexEntry | undefined;
    // The trie walk of `forEachCandidate`, inlined: this loop is the whole cost of a decision.
    let node: TrieNode | undefined = root;
    for (let depth = 0; node !== undefined; depth++) {
      for (const entry of node.entries) {
        if ((entry.actionMask & bit) === 0) continue;
        const rule = entry.rule;
        if (rule.effect === 'deny' ? denied !== undefined && denied.index < rule.index : denied !== undefined || (best !== undefined && !beats(entry, best))) {
          continue; // cannot change the outcome: skip the matching work
        }
        if (!principalMatches(rule, principal) || !matchRest(entry.pattern.rest, segs, depth, principal)) continue;
        if (rule.effect === 'deny') denied = rule;
        else best = entry;
      }
      if (depth >= segs.length || node.children === null) break;
      node = node.children.get(segs[depth] as string);
    }
    return denied?.decision ?? best?.rule.decision ?? NO_ALLOW.get(action) ?? UNKNOWN_ACTION;
  };

  const explain = (principal: Principal, action: Action, key: string): Explanation => {
    const decision = decide(principal, action, key);
    const segs = typeof key === 'string' ? splitKey(key) : null;
    const byRule = new Map<CompiledRule, { entry: IndexEntry; bound: Record<string, string> }>();
    const bit = ACTION_BITS.get(action) ?? 0;
    if (segs !== null) {
      forEachCandidate(root, segs, (entry, depth) => {
        const positions: number[] = [];
        if ((entry.actionMask & bit) === 0 || !principalMatches(entry.rule, principal)) return true;
        if (!matchRest(entry.pattern.rest, segs, depth, principal, positions)) return true;
        const prev = byRule.get(entry.rule);
        if (prev !== undefined && compareSpecificity(entry.pattern.specificity, prev.entry.pattern.specificity) <= 0) return true;
        const bound: Record<string, string> = {};
        entry.pattern.rest.forEach((seg, i) => {
          const at = positions[i];
          if (seg.kind === 'var' && at !== undefined) bound[seg.name] = segs[at] as string;
        });
        byRule.set(entry.rule, { entry, bound });
        return true;
      });
    }
    const matched = [...byRule.values()]
      .sort((a, b) => a.entry.rule.index - b.entry.rule.index)
      .map(({ entry, bound }) => ({ ruleId: entry.rule.id, effect: entry.rule.effect, pattern: entry.pattern.source, bound }));
    return { decision, matched, constraints: decision.effect === 'allow' ? decision.constraints : null };
  };

  return { decide, explain, ruleCount: rules.length, rules: doc.rules };
}

/** Validates (throwing `PolicyError` with every problem) and compiles a policy document. */
export function compilePolicy(doc: PolicyDocumentInput | PolicyDocument, sourceName = 'policy'): PolicyEngine {
  const parsed = policyDocumentSchema.safeParse(doc);
  if (!parsed.success) throw new PolicyError(problemsFromIssues(parsed.error.issues, doc, sourceName));
  return buildPolicyEngine(parsed.data);
}
