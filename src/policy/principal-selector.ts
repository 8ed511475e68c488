/**
 * Principal selectors: who a rule is about. A rule applies when ANY of its selectors matches.
 *
 *   `*`                 anyone, anonymous callers included
 *   `anonymous`         only callers without credentials
 *   `authenticated`     any caller with valid credentials (API key, JWT, share link)
 *   `user:<subject>`    the caller whose subject is exactly <subject>
 *   `group:<name>`      callers whose groups include exactly <name>
 *   `claim:<name>=<value>`  callers whose claim <name> equals <value>; string, number and boolean
 *                       claims compare by their text (`claim:email_verified=true`), arrays match
 *                       when any element does. <name> is a top-level claim, `[A-Za-z0-9_-]+`.
 * Comparisons are exact (case-sensitive, no normalization), like path matching.
 */
import type { Principal } from './types';

export type PrincipalMatcher = (principal: Principal) => boolean;

export interface PrincipalSelector {
  readonly source: string;
  readonly matches: PrincipalMatcher;
  /** True for `*`: lets the engine skip the call on the hot path. */
  readonly anyone: boolean;
}

export type SelectorResult = { ok: true; selector: PrincipalSelector } | { ok: false; message: string };

const CLAIM_NAME = /^[A-Za-z0-9_-]+$/;

/** A claim equals `expected` when its text does; an array when any (non-array) element does. */
export function claimValueEquals(value: unknown, expected: string): boolean {
  if (typeof value === 'string') return value === expected;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value) === expected;
  if (Array.isArray(value)) return value.some((v: unknown) => !Array.isArray(v) && claimValueEquals(v, expected));
  return false;
}

function selector(source: string, matches: PrincipalMatcher, anyone = false): SelectorResult {
  return { ok: true, selector: { source, matches, anyone } };
}

export function parsePrincipalSelector(source: string): SelectorResult {
  if (source === '*') return selector(source, () => true, true);
  if (source === 'anonymous') return selector(source, (p) => p.kind === 'anonymous');
  if (source === 'authenticated') return selector(source, (p) => p.kind === 'user');
  const colon = source.indexOf(':');
  const kind = colon < 0 ? source : source.slice(0, colon);
  const arg = colon < 0 ? '' : source.slice(colon + 1);
  switch (kind) {
    case 'user':
      if (arg === '') return { ok: false, message: 'user: needs a subject, e.g. "user:alice"' };
      return selector(source, (p) => p.kind === 'user' && p.subject === arg);
    case 'group':
      if (arg === '') return { ok: false, message: 'group: needs a group name, e.g. "group:eng"' };
      return selector(source, (p) => p.kind === 'user' && p.groups.includes(arg));
    case 'claim': {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? '' : arg.slice(0, eq);
      const value = arg.slice(eq + 1);
      if (eq < 0 || !CLAIM_NAME.test(name)) return { ok: false, message: 'claim: needs "claim:<name>=<value>", e.g. "claim:dept=finance"' };
      return selector(source, (p) => p.kind === 'user' && Object.hasOwn(p.claims, name) && claimValueEquals(p.claims[name], value));
    }
    default:
      return {
        ok: false,
        message: `unknown principal "${source}"; use "*", "anonymous", "authenticated", "user:<subject>", "group:<name>" or "claim:<name>=<value>"`,
      };
  }
}
