/**
 * One decision's search over the candidates the rule index hands it (the engine's inner loop):
 * the earliest matching deny, else the most specific matching allow, ties to the earlier rule.
 * Candidates that cannot change the outcome are skipped before any matching work.
 */
import type { CompiledRule, IndexEntry } from './rule-index';
import type { CandidateSink } from './rule-walk';
import { matchRest } from './segment-match';
import { ANONYMOUS, type Decision, type Principal } from './types';

export function principalMatches(rule: CompiledRule, principal: Principal): boolean {
  if (rule.anyone) return true;
  for (const s of rule.principals) if (s.matches(principal)) return true;
  return false;
}

/** Reused, reset per decision: decide is synchronous and never re-entered. */
export class DecisionSearch implements CandidateSink {
  bit = 0;
  principal: Principal = ANONYMOUS;
  viewed: readonly string[] = [];
  raw: readonly string[] = [];
  denied: CompiledRule | undefined = undefined;
  best: IndexEntry | undefined = undefined;

  start(bit: number, principal: Principal, raw: readonly string[]): void {
    this.bit = bit;
    this.principal = principal;
    this.raw = raw;
  }

  /** The outcome (undefined: nothing matched); holds nothing of the request afterwards. */
  finish(): Decision | undefined {
    const decision = this.denied?.decision ?? this.best?.rule.decision;
    this.principal = ANONYMOUS;
    this.denied = this.best = undefined;
    return decision;
  }

  take(list: readonly IndexEntry[]): void {
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as IndexEntry;
      if ((entry.actionMask & this.bit) === 0) continue;
      const rule = entry.rule;
      const { denied, best } = this;
      if (rule.effect === 'deny' ? denied !== undefined && denied.index < rule.index : denied !== undefined || (best !== undefined && !beats(entry, best))) continue;
      if (!principalMatches(rule, this.principal) || !matchRest(entry.rest, this.viewed, entry.start, this.principal, undefined, this.raw)) continue;
      if (rule.effect === 'deny') this.denied = rule;
      else this.best = entry;
    }
  }
}

/** Whether allow candidate `a` should replace the current best `b`. */
function beats(a: IndexEntry, b: IndexEntry): boolean {
  return a.specificity > b.specificity || (a.specificity === b.specificity && a.rule.index < b.rule.index);
}
