/**
 * The rule schema's bounds and messages, one field at a time: what compilePolicy refuses, at which
 * rule and field, and with which words (problems are what an author reads at startup).
 */
import { compilePolicy, MAX_TTL_SECONDS, PolicyError, type PolicyProblem } from '../../src/policy';

const RULE = { id: 'r', paths: 'a/**', actions: 'read', principals: '*', effect: 'allow' } as const;

function problemsOf(doc: unknown): Pick<PolicyProblem, 'field' | 'message' | 'ruleIndex'>[] {
  try {
    compilePolicy(doc as never);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    return e.problems.map(({ field, message, ruleIndex }) => ({ field, message, ...(ruleIndex !== undefined && { ruleIndex }) }));
  }
  return [];
}

const ruleProblems = (rule: Record<string, unknown>) => problemsOf({ version: 1, rules: [{ ...RULE, ...rule }] });

describe('rule fields: accepted at their bounds', () => {
  it.each([
    ['a ttl of 1 s', { ttl: 1 }],
    [`a ttl of ${MAX_TTL_SECONDS} s`, { ttl: MAX_TTL_SECONDS }],
    ['an id of 128 characters', { id: 'a'.repeat(128) }],
    ['an id with every allowed character', { id: '0a.b_c:d@e-f' }],
    ['a list of each', { paths: ['a/**', 'b'], actions: ['read', 'list'], principals: ['user:a', 'group:b'] }],
    ['every constraint on an allow', { maxSize: '1MB', contentTypes: 'image/*', ttl: 60, createOnly: true, inlineActive: false, renameDownloads: true }],
    ['gateway enforcement', { enforce: 'gateway' }],
    ['every action', { actions: ['read', 'write', 'delete', 'list', 'share', '*'] }],
  ])('%s', (_name, rule) => {
    expect(ruleProblems(rule)).toEqual([]);
  });

  it('the version may be left out', () => {
    expect(problemsOf({ rules: [RULE] })).toEqual([]);
  });
});

describe('rule fields: refused with a message', () => {
  it.each([
    ['a ttl of 0', { ttl: 0 }, 'ttl', 'must be positive'],
    ['a ttl over 7 days', { ttl: MAX_TTL_SECONDS + 1 }, 'ttl', `must be at most ${MAX_TTL_SECONDS} (7 days)`],
    ['a fractional ttl', { ttl: 1.5 }, 'ttl', 'must be whole seconds'],
    ['an id of 129 characters', { id: 'a'.repeat(129) }, 'id', 'must be 1-128 characters of letters, digits and . _ : @ -, starting with a letter or digit'],
    ['an id starting with a dash', { id: '-a' }, 'id', 'must be 1-128 characters of letters, digits and . _ : @ -, starting with a letter or digit'],
    ['an id with a space', { id: 'a b' }, 'id', 'must be 1-128 characters of letters, digits and . _ : @ -, starting with a letter or digit'],
    ['no paths', { paths: [] }, 'paths', 'must list at least one entry'],
    ['a bad path', { paths: ['ok', 'a//b'] }, 'paths[1]', 'empty segment (leading, trailing or doubled "/")'],
    ['a bad principal', { principals: 'role:x' }, 'principals[0]', 'unknown principal "role:x"; use "*", "anonymous", "authenticated", "user:<subject>", "group:<name>" or "claim:<name>=<value>"'],
    ['an unknown action', { actions: 'chmod' }, 'actions[0]', 'must be one of read, write, delete, list, share, *'],
    ['an unknown effect', { effect: 'maybe' }, 'effect', 'must be "allow" or "deny"'],
    ['a bad size', { maxSize: '10 parsecs' }, 'maxSize', '"10 parsecs" is not a size; use bytes or a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB'],
    ['a bad media type', { contentTypes: ['image/png', '*/png'] }, 'contentTypes[1]', '"*/png" is not a media type pattern like "image/png", "image/*" or "*/*"'],
    ['another enforcement', { enforce: 'storage' }, 'enforce', 'must be "gateway" (accept gateway-only enforcement of constraints) when present'],
  ])('%s', (_name, rule, field, message) => {
    expect(ruleProblems(rule)).toEqual([{ ruleIndex: 0, field, message }]);
  });

  it.each(['maxSize', 'contentTypes', 'ttl', 'createOnly', 'inlineActive', 'renameDownloads'] as const)('%s on a deny rule', (field) => {
    const value = { maxSize: 10, contentTypes: ['image/png'], ttl: 60, createOnly: true, inlineActive: true, renameDownloads: false }[field];
    expect(ruleProblems({ effect: 'deny', [field]: value })).toEqual([{ ruleIndex: 0, field, message: 'constraints only apply to allow rules' }]);
  });

  it('a version other than 1', () => {
    expect(problemsOf({ version: 2, rules: [] })).toEqual([{ field: 'version', message: 'must be 1' }]);
  });

  it('a duplicate id names the rule that used it first', () => {
    const rules = [RULE, { ...RULE, id: 'x' }, RULE, RULE];
    expect(problemsOf({ rules })).toEqual([
      { ruleIndex: 2, field: 'id', message: 'duplicate id "r" (first used by rules[0])' },
      { ruleIndex: 3, field: 'id', message: 'duplicate id "r" (first used by rules[0])' },
    ]);
  });
});
