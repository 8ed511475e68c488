import { compareSpecificity, parsePathPattern } from '../../src/policy/path-pattern';
import { splitKey } from '../../src/policy/segment-match';
import type { Principal } from '../../src/policy/types';
import { alice, anon, engineOf, user } from './fixtures';

function matches(pattern: string, key: string, who: Principal = alice): boolean {
  return engineOf({ paths: pattern }).decide(who, 'read', key).effect === 'allow';
}

describe('path pattern matching', () => {
  it.each([
    // literal: exact, case-sensitive, no trimming
    ['a/b', 'a/b', true],
    ['a/b', 'a/b/c', false],
    ['a/b', 'a', false],
    ['a/b', 'A/b', false],
    ['a/b', 'a/b ', false],
    ['a b/c', 'a b/c', true],
    // `*`: one whole segment / a glob inside one segment
    ['a/*', 'a/x', true],
    ['a/*', 'a/x/y', false],
    ['a/*', 'a', false],
    ['a/*.jpg', 'a/x.jpg', true],
    ['a/*.jpg', 'a/.jpg', true],
    ['a/*.jpg', 'a/x.JPG', false],
    ['a/*.jpg', 'a/x.jpg/y', false],
    ['a/*.jpg', 'a/b/x.jpg', false],
    ['a/img-*-v*.png', 'a/img-1-v2.png', true],
    ['a/img-*-v*.png', 'a/img--v.png', true],
    ['a/img-*-v*.png', 'a/img-v.png', false],
    ['a/ab*ba', 'a/aba', false],
    ['a/ab*ba', 'a/abba', true],
    // a middle piece may not overlap the suffix, nor an earlier middle piece
    ['a/x*-v*-v', 'a/x-v', false],
    ['a/x*-v*-v', 'a/x-v-v', true],
    ['a/*v*v*', 'a/v', false],
    ['a/*v*v*', 'a/vv', true],
    // `**` in the middle or at the start: zero or more segments
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/b/b', true],
    ['a/**/b', 'a/x/b/c', false],
    ['**/b', 'b', true],
    ['**/b', 'x/y/b', true],
    ['**/b', 'x/bb', false],
    ['a/**/x/**/y', 'a/x/y', true],
    ['a/**/x/**/y', 'a/1/x/2/3/y', true],
    ['a/**/x/**/y', 'a/1/y/2/x', false],
    // trailing `**`: strictly below
    ['home/alice/**', 'home/alice/x', true],
    ['home/alice/**', 'home/alice/x/y/z', true],
    ['home/alice/**', 'home/alice', false],
    ['home/alice/**', 'home/alice2/x', false],
    ['home/alice/**', 'home/alicex', false],
    ['**', 'x', true],
    ['**', 'x/y/z', true],
    // Unicode: no normalization, the pattern matches only the form it spells
    ['caf\u00e9/*', 'caf\u00e9/x', true],
    ['caf\u00e9/*', 'cafe\u0301/x', false],
    ['cafe\u0301/*', 'caf\u00e9/x', false],
    ['stra\u00dfe/*', 'strasse/x', false],
  ])('%p vs %p -> %p', (pattern, key, expected) => {
    expect(matches(pattern, key)).toBe(expected);
  });

  it.each([
    ['home/{sub}/**', 'home/alice/x', alice, true],
    ['home/{sub}/**', 'home/bob/x', alice, false],
    ['home/{sub}/**', 'home/Alice/x', alice, false],
    ['home/{sub}/**', 'home/alice', alice, false],
    ['home/{sub}/**', 'home/alice/x', anon, false],
    ['home/{sub}', 'home/alice', alice, true],
    ['home/{sub}/**', 'home/a/b/c', user('a/b'), false],
    ['home/{sub}/**', 'home/a/b/c', user('a'), true], // binds only "a": the caller is "a"
    ['teams/{group}/**', 'teams/eng/x', alice, true],
    ['teams/{group}/**', 'teams/ops/x', alice, false],
    ['teams/{group}/**', 'teams/eng/x', anon, false],
    ['teams/{group}/**', 'teams/../x', user('x', ['..']), false],
    ['{claim.dept}/**', 'finance/x', alice, true],
    ['{claim.dept}/**', 'hr/x', alice, false],
    ['{claim.dept}/**', 'b/x', user('u', [], { dept: ['a', 'b'] }), true],
    ['{claim.dept}/**', '42/x', user('u', [], { dept: 42 }), true],
    ['{claim.dept}/**', 'a/b/x', user('u', [], { dept: 'a/b' }), false],
    ['{claim.constructor}/**', 'Object/x', user('u'), false],
    ['{claim.toString}/**', 'x/y', user('u'), false],
    ['x/{sub}/{group}/**', 'x/alice/eng/1', alice, true],
    ['**/{sub}/*.txt', 'a/b/alice/n.txt', alice, true],
  ])('%p vs %p for %p -> %p', (pattern, key, who, expected) => {
    expect(matches(pattern, key, who)).toBe(expected);
  });

  it.each([
    [''],
    ['/a'],
    ['a/'],
    ['a//b'],
    ['a/./b'],
    ['a/../b'],
    ['a/**b'],
    ['a/***'],
    ['{user}/x'],
    ['{sub'],
    ['x{sub}'],
    ['{claim.}'],
    ['{claim.a.b}'],
    ['{sub}/{sub}'],
    ['a\u0000b'],
    ['a\nb'],
    ['a/'.repeat(600) + 'b'],
  ])('rejects %j', (pattern) => {
    const r = parsePathPattern(pattern);
    expect(r.ok).toBe(false);
  });

  it('records the literal prefix and rewrites a trailing ** to one-or-more', () => {
    const r = parsePathPattern('home/alice/**');
    expect(r.ok && r.pattern.literalPrefix).toEqual(['home', 'alice']);
    expect(r.ok && r.pattern.rest.map((s) => s.kind)).toEqual(['any', 'globstar']);
  });

  it.each([
    ['', 'pattern is empty'],
    ['a/'.repeat(512) + 'b', 'pattern longer than 1024 characters'],
    ['a\u001fb', 'pattern contains control characters'],
    ['a\u007fb', 'pattern contains control characters'],
    ['a//b', 'empty segment (leading, trailing or doubled "/")'],
    ['a/./b', '"." segments never occur in keys'],
    ['a/..', '".." segments never occur in keys'],
    ['{user}/x', 'unknown variable "{user}"; use {sub}, {group} or {claim.NAME}'],
    ['{claim.a.b}', 'unknown variable "{claim.a.b}"; use {sub}, {group} or {claim.NAME}'],
    ['{claim}', 'unknown variable "{claim}"; use {sub}, {group} or {claim.NAME}'],
    ['{claim_role}', 'unknown variable "{claim_role}"; use {sub}, {group} or {claim.NAME}'], // not {claim.role} with a typo'd dot
    ['{claims.role}', 'unknown variable "{claims.role}"; use {sub}, {group} or {claim.NAME}'],
    ['x{sub}', '"{" and "}" only form a whole-segment variable like {sub}, got "x{sub}"'],
    ['{sub', '"{" and "}" only form a whole-segment variable like {sub}, got "{sub"'],
    ['sub}', '"{" and "}" only form a whole-segment variable like {sub}, got "sub}"'],
    ['a/x**', '"**" must be a whole segment, got "x**"'],
    ['{sub}/{sub}', 'variable {sub} appears more than once'],
    ['{claim.d}/x/{claim.d}', 'variable {claim.d} appears more than once'],
  ])('%j is refused: %s', (pattern, message) => {
    expect(parsePathPattern(pattern)).toEqual({ ok: false, message });
  });

  it.each([['a'.repeat(1024)], ['a b\u0080'], ['{claim.d}/{group}/{sub}/{claim.e}'], ['...'], ['.a/..b']])('accepts %j', (pattern) => {
    expect(parsePathPattern(pattern).ok).toBe(true);
  });

  it('parses each segment kind', () => {
    const r = parsePathPattern('a/*/x*y*z/{sub}/{group}/{claim.dept}/**/b');
    expect(r.ok && r.pattern).toMatchObject({
      source: 'a/*/x*y*z/{sub}/{group}/{claim.dept}/**/b',
      literalPrefix: ['a'],
      rest: [
        { kind: 'any' },
        { kind: 'glob', parts: ['x', 'y', 'z'] },
        { kind: 'var', variable: { kind: 'sub' }, name: 'sub' },
        { kind: 'var', variable: { kind: 'group' }, name: 'group' },
        { kind: 'var', variable: { kind: 'claim', name: 'dept' }, name: 'claim.dept' },
        { kind: 'globstar' },
        { kind: 'literal', text: 'b' },
      ],
      // literal segments, variables, glob characters, fixed segments, minus globstars
    });
  });

  it('a pattern of literals only keeps them all in the prefix, with nothing left', () => {
    const r = parsePathPattern('a/b/c');
    expect(r.ok && [r.pattern.literalPrefix, r.pattern.rest]).toEqual([['a', 'b', 'c'], []]);
  });

  // Specificity is one packed number (literal segments first, then variables, glob characters,
  // fixed segments, fewer globstars): compared through the patterns that produce it.
  const spec = (source: string): number => {
    const r = parsePathPattern(source);
    if (!r.ok) throw new Error(r.message);
    return r.pattern.specificity;
  };
  it.each([
    ['a/b/c', 'a/{sub}/c', 1],
    ['a/{sub}/c', 'a/b/c', -1],
    ['a/*.txt', 'a/*.txt', 0],
    ['a/*.txt', 'a/*', 1],
    ['a/*/b', 'a/**/b', 1],
  ])('compareSpecificity(%j, %j) has the sign of %p', (a, b, sign) => {
    expect(Math.sign(compareSpecificity(spec(a), spec(b)))).toBe(sign);
  });
});

describe('splitKey: the policy guard on keys', () => {
  it.each([
    ['a', ['a']],
    ['a/b/c', ['a', 'b', 'c']],
    ['...', ['...']],
    ['.a/a./..b/b..', ['.a', 'a.', '..b', 'b..']],
    ['a b/\u0080', ['a b', '\u0080']],
    ['~', ['~']],
  ])('%j -> %j', (key, segs) => {
    expect(splitKey(key)).toEqual(segs);
  });

  it.each(['', '/', 'a/', '/a', 'a//b', '.', '..', 'a/.', 'a/../b', './a', 'a\u0000', 'a\u001fb', 'a\u007f', '\tb'])('%j -> null', (key) => {
    expect(splitKey(key)).toBeNull();
  });
});

