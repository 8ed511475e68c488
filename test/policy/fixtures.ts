// Shared helpers for policy tests: principals and one-line engines.
import { compilePolicy, type PolicyEngine } from '../../src/policy';
import type { Principal } from '../../src/policy/types';

export const anon: Principal = { kind: 'anonymous' };

export function user(subject: string, groups: readonly string[] = [], claims: Record<string, unknown> = {}): Principal {
  return { kind: 'user', subject, groups, claims, via: 'jwt' };
}

export const alice = user('alice', ['eng'], { dept: 'finance' });

export interface RuleSpec {
  id?: string;
  paths: string | string[];
  actions?: string | string[];
  principals?: string | string[];
  effect?: 'allow' | 'deny';
  maxSize?: number | string;
  contentTypes?: string[];
  ttl?: number;
  createOnly?: boolean;
  ignoreCase?: boolean;
  ignoreTrailingDotsAndSpaces?: boolean;
}

/** An engine from terse rule specs: defaults are id r<i>, all actions, anyone, allow. */
export function engineOf(...rules: RuleSpec[]): PolicyEngine {
  return compilePolicy({
    version: 1,
    rules: rules.map((r, i) => ({ id: `r${i}`, actions: '*', principals: '*', effect: 'allow', ...r })),
  });
}
