/**
 * The rule index's own contract, on indexes too big to collapse (a subtree of at most four
 * patterns is tested from its top, so a small policy hides where each pattern was filed):
 * - never miss: a key's candidates include every pattern of the shape that matches it;
 * - stay selective: a key gets a handful of candidates out of a hundred patterns of its shape,
 *   and a pattern it cannot match is not among them.
 * Decisions alone cannot tell a misfiled pattern that is still found (by a broader edge) from a
 * well-filed one; mutation testing showed those changes surviving every decision test.
 */
import { parsePathPattern, type PathPattern } from '../../src/policy/path-pattern';
import { buildRuleIndex, type CompiledRule, type IndexEntry } from '../../src/policy/rule-index';
import { collectCandidates } from '../../src/policy/rule-walk';

function pattern(source: string): PathPattern {
  const parsed = parsePathPattern(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.pattern;
}

function rule(index: number, source: string): CompiledRule {
  const id = `r${index}:${source}`;
  return { index, id, effect: 'allow', actionMask: 1, principals: [], anyone: true, patterns: [pattern(source)], view: 0, constraints: {}, decision: { effect: 'allow', rule: id, constraints: {} } };
}

/** The patterns (by source) the walk hands out for `key`, for the action bit 1. */
function candidates(rules: readonly CompiledRule[], key: string, bit = 1): string[] {
  const found: IndexEntry[] = [];
  collectCandidates(buildRuleIndex(rules), key.split('/'), { bit, take: (list) => found.push(...list) });
  return found.map((e) => e.pattern.source);
}

const SHAPES: readonly [string, (n: number) => string, string, string][] = [
  ['literal prefix', (n) => `projects/p${n}/**`, 'projects/p7/a/b.txt', 'projects/p77/a.txt'],
  ['extension anywhere', (n) => `**/*.ext${n}`, 'a/b/tool.ext7', 'a/b/tool.ext77'],
  ['name anywhere', (n) => `**/name${n}`, 'x/y/name7', 'x/y/name77'],
  ['folder anywhere', (n) => `**/dir${n}/**`, 'a/dir7/b/c', 'a/dir77/b/c'],
  ['a suffix without a dot', (n) => `**/*-v${n}`, 'a/file-v7', 'a/file-v77'],
  ['a prefix', (n) => `**/tmp${n}-*`, 'a/tmp7-x', 'a/tmp77-x'],
  ['a two-segment tail', (n) => `**/dir${n}/*.pdf`, 'a/b/dir7/x.pdf', 'a/b/dir77/x.pdf'],
  ['a star segment first', (n) => `*/s${n}/**`, 'x/s7/y', 'x/s77/y'],
  ['a star segment inside', (n) => `t${n}/*/x/**`, 't7/q/x/y', 't77/q/x/y'],
  ['a variable', (n) => `home/{sub}/p${n}/**`, 'home/alice/p7/z', 'home/alice/p77/z'],
  // Not here: `**/libN/**/*.js`. The index files a pattern by its tail first, so 100 patterns
  // sharing the tail `*.js` share one bucket (every one is a candidate for every .js key); their
  // middle literal is used only when there is no tail. Correct, not selective (README, "Policy").
];

describe('rule index: 100 patterns of one shape (never collapsed)', () => {
  // 1..99 without 77: the target is number 7, the near miss 77 is not in the index at all.
  const numbers = Array.from({ length: 100 }, (_, n) => n).filter((n) => n !== 77);

  it.each(SHAPES)('%s: the matching pattern is a candidate, among at most 4', (_shape, make, hit) => {
    const rules = numbers.map((n) => rule(n, make(n)));
    const found = candidates(rules, hit);
    expect(found).toContain(make(7));
    expect(found.length).toBeLessThanOrEqual(4);
  });

  it.each(SHAPES)('%s: a key no pattern matches gets no candidate of that shape but a few', (_shape, make, _hit, miss) => {
    const rules = numbers.map((n) => rule(n, make(n)));
    const found = candidates(rules, miss);
    expect(found).not.toContain(make(7));
    expect(found.length).toBeLessThanOrEqual(4);
  });

  it.each(SHAPES)('%s: mixed with 100 patterns of every other shape, still found and still few', (_shape, make, hit) => {
    const rules = SHAPES.flatMap(([, other], s) => numbers.map((n) => rule(s * 1000 + n, other(n))));
    const found = candidates(rules, hit);
    expect(found).toContain(make(7));
    expect(found.length).toBeLessThanOrEqual(12);
  });

  it('patterns with no literal end (`**`, `**/*`) are candidates for every key', () => {
    const rules = [...numbers.map((n) => rule(n, `**/*.ext${n}`)), rule(500, '**'), rule(501, 'a/**/*')];
    expect(candidates(rules, 'a/b/c.txt')).toEqual(expect.arrayContaining(['**', 'a/**/*']));
    expect(candidates(rules, 'z/c.txt')).toContain('**');
    expect(candidates(rules, 'z/c.txt')).not.toContain('a/**/*');
  });

  it('a walk skips patterns of other actions', () => {
    const rules = numbers.map((n) => ({ ...rule(n, `**/*.ext${n}`), actionMask: n === 7 ? 2 : 1 }));
    expect(candidates(rules, 'a/tool.ext7', 1)).not.toContain('**/*.ext7');
    expect(candidates(rules, 'a/tool.ext7', 2)).toEqual(['**/*.ext7']);
  });

  it('suffixes of many lengths are each looked up (lengths 1 to 12)', () => {
    const rules = Array.from({ length: 12 }, (_, i) => rule(i, `**/*${'x'.repeat(i)}-${i}`));
    for (let i = 0; i < 12; i++) expect(candidates(rules, `a/file${'x'.repeat(i)}-${i}`)).toContain(`**/*${'x'.repeat(i)}-${i}`);
    expect(candidates(rules, 'a/file-99')).toEqual([]);
  });
});
