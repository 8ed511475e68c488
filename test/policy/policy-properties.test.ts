// Property-based tests: deny overrides, prefix confinement, variable confinement, and a
// differential check of the indexed engine against a naive linear regex-based oracle.
import fc from 'fast-check';
import { compilePolicy, type PolicyEngine } from '../../src/policy';
import { ALL_ACTIONS, type Action, type Principal } from '../../src/policy/types';
import { anon, user } from './fixtures';

// Segments chosen to collide: case variants, NFC/NFD, spaces, look-alike escapes, glob characters.
const NASTY = ['a', 'A', 'b', 'ab', 'a b', ' a', 'a ', 'caf\u00e9', 'cafe\u0301', '%2F', '%2e%2e', '*', '{sub}', 'x.jpg', 'x.JPG', '\u212a', 'K', 'alice', 'alice2', 'home', 'eng', '\u{1f600}'];
// Spellings that matching options fold together: case, trailing dots and spaces, sigma, long s.
const FOLDABLE = ['X.Jpg', 'x.jpg.', 'x.JPG. ', 'x.jpg..', 'AB', 'Ab.', 'aB ', '...', ' ', '. .', 'HOME', 'Alice', '\u03a3', '\u03c2', '\u03c3', '\u017f', 'S', 's', '~$x', '~$X.', '.env', '.ENV '];
const validSeg = (s: string) => s !== '' && s !== '.' && s !== '..' && [...s].every((c) => c !== '/' && c >= ' ' && c !== '\u007f');
const keySegment = fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom(...FOLDABLE), fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }).filter(validSeg));
const keyArb = fc.array(keySegment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));

const LITERALS = ['a', 'A', 'b', 'ab', 'a b', 'caf\u00e9', 'cafe\u0301', '%2F', 'home', 'alice', 'eng'];
const patternSegment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 2, arbitrary: fc.constantFrom('*', '**', 'a*', '*b', '*.jpg', 'a*b', '~$*', '.*', '*.JPG', 'x.*', '*a*', '\u03c3*', '*s') },
  { weight: 1, arbitrary: fc.constantFrom('{sub}', '{group}') },
);
const patternArb = fc.array(patternSegment, { minLength: 1, maxLength: 4 }).filter((segs) => new Set(segs.filter((s) => s.startsWith('{'))).size === segs.filter((s) => s.startsWith('{')).length).map((s) => s.join('/'));

const SELECTORS = ['*', 'authenticated', 'anonymous', 'user:alice', 'user:A', 'group:eng', 'claim:dept=x'];
const ruleArb = fc.record({
  paths: fc.array(patternArb, { minLength: 1, maxLength: 2 }),
  actions: fc.subarray([...ALL_ACTIONS], { minLength: 1 }),
  principals: fc.subarray(SELECTORS, { minLength: 1 }),
  effect: fc.constantFrom<'allow' | 'deny'>('allow', 'allow', 'deny'),
  ttl: fc.integer({ min: 1, max: 100 }),
});
type RuleArb = { paths: string[]; actions: Action[]; principals: string[]; effect: 'allow' | 'deny'; ttl: number; ignoreCase?: boolean; ignoreTrailingDotsAndSpaces?: boolean };
const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 12 });
// The same with matching options (patterns ending in "." or " " are refused with trimming; none are generated).
const optionsRuleArb = fc
  .tuple(ruleArb, fc.boolean(), fc.boolean())
  .map(([r, ignoreCase, trim]): RuleArb => ({ ...r, ...(ignoreCase && { ignoreCase }), ...(trim && { ignoreTrailingDotsAndSpaces: trim }) }));
const optionsRulesArb = fc.array(optionsRuleArb, { minLength: 1, maxLength: 12 });

const principalArb: fc.Arbitrary<Principal> = fc.oneof(
  fc.constant(anon),
  fc.record({ sub: fc.constantFrom('alice', 'A', 'a', '', '.', '..', 'a/b', 'alice2', 'cafe\u0301'), groups: fc.subarray(['eng', 'a', '..', 'a/b', '']), dept: fc.constantFrom('x', 'y') }).map((p) => user(p.sub, p.groups, { dept: p.dept })),
);
const actionArb = fc.constantFrom(...ALL_ACTIONS);

function build(rules: readonly RuleArb[]): PolicyEngine {
  return compilePolicy({
    rules: rules.map((r, i) => ({ id: `r${i}`, ...r, ...(r.effect === 'deny' ? { ttl: undefined } : {}) })),
  });
}

const startsWithSegments = (key: string, prefix: readonly string[]) => {
  const k = key.split('/');
  return prefix.every((p, i) => k[i] === p);
};
const literalPrefix = (pattern: string) => {
  const out: string[] = [];
  for (const s of pattern.split('/')) {
    if (s.includes('*') || s.startsWith('{')) break;
    out.push(s);
  }
  return out;
};

// Under mutation testing (Stryker sets STRYKER_MUTATOR_WORKER in its runners) every surviving or
// timed-out mutant reruns this whole suite: a quarter of the runs there, so src/policy's run fits
// in an hour on two cores. The score is then a lower bound; `npm test` always runs them all.
const SCALE = process.env.STRYKER_MUTATOR_WORKER === undefined ? 1 : 0.25;
const runs = (n: number) => ({ numRuns: Math.ceil(n * SCALE) });
const RUNS = runs(400);

describe('policy properties', () => {
  it('deny overrides: inserting a matching deny anywhere turns any decision into deny', () => {
    fc.assert(
      fc.property(rulesArb, principalArb, actionArb, keyArb, fc.nat(), fc.nat(), (rules, who, action, key, at, how) => {
        const segs = key.split('/');
        // A deny that certainly matches: `**`, or the key with some segments turned into `*`.
        const safe = segs.every((s) => !/[*{}]/.test(s));
        const path = safe && how % 3 !== 0 ? segs.map((s, i) => ((how >> i) & 1 ? '*' : s)).join('/') : '**';
        const deny: RuleArb = { paths: [path], actions: how % 2 ? [...ALL_ACTIONS] : [action], principals: ['*'], effect: 'deny', ttl: 1 };
        const withDeny = [...rules];
        withDeny.splice(at % (rules.length + 1), 0, deny);
        expect(build(withDeny).decide(who, action, key).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('prefix confinement: an allow comes from a rule with a pattern whose literal prefix starts the key', () => {
    fc.assert(
      fc.property(rulesArb, principalArb, actionArb, keyArb, (rules, who, action, key) => {
        const d = build(rules).decide(who, action, key);
        if (d.effect !== 'allow') return;
        const rule = rules[Number(d.rule.slice(1))]!;
        expect(rule.paths.some((p) => startsWithSegments(key, literalPrefix(p)))).toBe(true);
      }),
      RUNS,
    );
  });

  it('prefix confinement: near-miss keys of a literal prefix are never allowed', () => {
    const prefixArb = fc.array(fc.constantFrom(...LITERALS), { minLength: 1, maxLength: 3 });
    const tailArb = fc.constantFrom('**', '*', '*/**', '**/*.jpg', '{sub}/**');
    fc.assert(
      fc.property(prefixArb, tailArb, keyArb, fc.nat(), (prefix, tail, rest, mutate) => {
        const engine = compilePolicy({ rules: [{ id: 'p', paths: `${prefix.join('/')}/${tail}`, actions: '*', principals: '*', effect: 'allow' }] });
        const near = [...prefix];
        const i = mutate % near.length;
        const variants = [near[i]!.toUpperCase(), near[i]!.normalize('NFD'), near[i]!.normalize('NFC'), `${near[i]!} `, `${near[i]!}x`, near[i]!.slice(1) || 'z'];
        near[i] = variants[mutate % variants.length]!;
        for (const key of [`${near.join('/')}/${rest}`, `${prefix.join('/')}/${rest}`, rest]) {
          if (engine.decide(user('alice'), 'read', key).effect === 'allow') expect(startsWithSegments(key, prefix)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('variable confinement: home/{sub}/** and teams/{group}/** only allow below the caller\u2019s own folder', () => {
    const engine = compilePolicy({
      rules: [
        { id: 'home', paths: 'home/{sub}/**', actions: '*', principals: '*', effect: 'allow' },
        { id: 'team', paths: 'teams/{group}/**', actions: '*', principals: '*', effect: 'allow' },
      ],
    });
    const ownish = principalArb.chain((p) =>
      fc.tuple(fc.constant(p), fc.oneof(keyArb.map((k) => `home/${k}`), keyArb.map((k) => `teams/${k}`), keyArb.map((k) => (p.kind === 'user' ? `home/${p.subject}/${k}` : k)), fc.constantFrom('home/alice', 'home/alice2/x', 'teams/eng', 'home/../x'))),
    );
    fc.assert(
      fc.property(ownish, actionArb, ([who, key], action) => {
        const d = engine.decide(who, action, key);
        if (d.effect !== 'allow') return;
        expect(who.kind).toBe('user');
        if (who.kind !== 'user') return;
        const [top, owner, ...below] = key.split('/');
        expect(below.length).toBeGreaterThan(0);
        expect(validSeg(owner!)).toBe(true);
        if (d.rule === 'home') expect(top === 'home' && owner === who.subject).toBe(true);
        else expect(top === 'teams' && who.groups.includes(owner!)).toBe(true);
      }),
      runs(2000),
    );
  });

  it('the indexed engine agrees with a naive linear oracle', () => {
    // Half the keys instantiate one of the rules' patterns, so deep literal prefixes do match.
    const caseArb = fc.tuple(optionsRulesArb, principalArb).chain(([rules, who]) =>
      fc.tuple(
        fc.constant(rules),
        fc.constant(who),
        fc.oneof(keyArb, fc.tuple(fc.nat(), fc.array(keySegment, { minLength: 12, maxLength: 12 })).map(([n, fill]) => instantiate(rules, who, n, fill))),
      ),
    );
    let allowed = 0;
    fc.assert(
      fc.property(caseArb, actionArb, ([rules, who, key], action) => {
        const d = build(rules).decide(who, action, key);
        if (d.effect === 'allow') allowed++;
        expect(d).toEqual(oracle(rules, who, action, key));
      }),
      runs(2000),
    );
    expect(allowed).toBeGreaterThan(200 * SCALE); // the property is not vacuous
  });

  it('the indexed engine agrees with the oracle on many rules of every indexed shape', () => {
    // Names from small alphabets, so rules share trie nodes, suffixes and prefixes, and keys hit them.
    const name = fc.constantFrom('a', 'ab', 'b', 'A', 'node_modules', 'x.jpg', 'Ab');
    const ext = fc.constantFrom('jpg', 'JPG', 'pg', 'g', 'tar.gz', 'gz', 'exe', '\u03c3', 's');
    const shape = fc.oneof(
      fc.tuple(name, name).map(([a, b]) => `${a}/${b}/**`),
      name.map((a) => `**/${a}`),
      ext.map((e) => `**/*.${e}`),
      ext.map((e) => `**/x*.${e}`),
      name.map((a) => `**/${a}/**`),
      fc.tuple(name, name).map(([a, b]) => `**/${a}/**/${b}`),
      fc.tuple(name, ext).map(([a, e]) => `**/${a}/*.${e}`),
      fc.tuple(name, name).map(([a, b]) => `${a}/**/${b}`),
      name.map((a) => `{sub}/${a}/**`),
      name.map((a) => `home/{sub}/${a}/**`),
      name.map((a) => `*/${a}/**`),
      fc.tuple(name, ext).map(([a, e]) => `${a}/*.${e}`),
      name.map((a) => `${a}/*/**`),
      name.map((a) => `**/${a.slice(0, 1)}*`),
      fc.constantFrom('**', '**/*', '*', '*/*', '**/~$*', '**/.*', '**/*a*', '{group}/**'),
    );
    const rule = fc
      .tuple(fc.array(shape, { minLength: 1, maxLength: 2 }), fc.subarray([...ALL_ACTIONS], { minLength: 1 }), fc.subarray(SELECTORS, { minLength: 1 }), fc.constantFrom<'allow' | 'deny'>('allow', 'allow', 'allow', 'deny'), fc.boolean(), fc.boolean())
      .map(([paths, actions, principals, effect, ignoreCase, trim]): RuleArb => ({ paths, actions, principals, effect, ttl: 1, ...(ignoreCase && { ignoreCase }), ...(trim && { ignoreTrailingDotsAndSpaces: trim }) }));
    const caseArb = fc.tuple(fc.array(rule, { minLength: 5, maxLength: 40 }), principalArb).chain(([rules, who]) =>
      fc.tuple(fc.constant(rules), fc.constant(who), fc.array(fc.tuple(fc.nat(), fc.array(keySegment, { minLength: 12, maxLength: 12 })), { minLength: 4, maxLength: 4 })),
    );
    let allowed = 0, denied = 0;
    fc.assert(
      fc.property(caseArb, actionArb, ([rules, who, seeds], action) => {
        const engine = build(rules);
        for (const [n, fill] of seeds) {
          const key = instantiate(rules, who, n, fill);
          const d = engine.decide(who, action, key);
          if (d.effect === 'allow') allowed++;
          else if (d.rule !== null) denied++;
          expect(d).toEqual(oracle(rules, who, action, key));
        }
      }),
      runs(600),
    );
    expect(allowed).toBeGreaterThan(300 * SCALE);
    expect(denied).toBeGreaterThan(100 * SCALE);
  });
});

/**
 * A key that one of the rules' patterns (picked by `n`) matches, filled from `fill`; some with
 * literal text in another case or trailing dots and spaces, which only matching options forgive.
 */
function instantiate(rules: readonly RuleArb[], who: Principal, n: number, fill: string[]): string {
  const paths = rules.flatMap((r) => r.paths);
  const pattern = paths[n % paths.length]!;
  const respell = (s: string) => {
    switch (n % 6) {
      case 1:
        return s.toUpperCase();
      case 2:
        return `${s}${n % 12 < 6 ? '.' : ' .'}`;
      case 3: // letters that fold to s, sigma and k only under full case mapping
        return s.replace(/s/g, '\u017f').replace(/\u03c3/g, '\u03c2').replace(/k/gi, '\u212a');
      default:
        return s;
    }
  };
  const segs = pattern.split('/');
  const out: string[] = [];
  for (const [i, s] of segs.entries()) {
    // A trailing `**` takes one or more segments, an inner one zero or more.
    if (s === '**') out.push(...fill.splice(0, (n % 3) + (i === segs.length - 1 ? 1 : 0)));
    else if (s === '{sub}') out.push(who.kind === 'user' ? who.subject : fill.pop()!);
    else if (s === '{group}') out.push(who.kind === 'user' && who.groups[0] !== undefined ? who.groups[0] : fill.pop()!);
    else out.push(respell(s.replace(/\*/g, () => fill.pop()!)));
  }
  return out.length === 0 ? 'x' : out.join('/');
}

// ---- the oracle: every rule, every pattern, matched segment by segment from scratch ----

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const bindable = (v: string) => validSeg(v);
const fold = (s: string) => s.toUpperCase().toLowerCase().replace(/\u03c2/g, '\u03c3');

/** One pattern segment against one key segment (normalized per the rule; variables see the raw one). */
function segmentOk(p: string, norm: string, raw: string, who: Principal, r: RuleArb): boolean {
  if (p === '{sub}') return who.kind === 'user' && bindable(who.subject) && raw === who.subject;
  if (p === '{group}') return who.kind === 'user' && who.groups.some((g) => bindable(g) && g === raw);
  const text = r.ignoreCase ? fold(p) : p;
  return new RegExp(`^${text.split('*').map(esc).join('.*')}$`, 's').test(norm);
}

/** Backtracking over every split `**` allows; a trailing `**` takes at least one segment. */
function patternOk(ps: string[], i: number, norm: string[], raw: string[], j: number, who: Principal, r: RuleArb): boolean {
  if (i === ps.length) return j === norm.length;
  if (ps[i] === '**') {
    for (let k = j + (i === ps.length - 1 ? 1 : 0); k <= norm.length; k++) if (patternOk(ps, i + 1, norm, raw, k, who, r)) return true;
    return false;
  }
  return j < norm.length && segmentOk(ps[i]!, norm[j]!, raw[j]!, who, r) && patternOk(ps, i + 1, norm, raw, j + 1, who, r);
}

function matchesRule(pattern: string, key: string, who: Principal, r: RuleArb): boolean {
  const raw = key.split('/');
  const norm = raw.map((s) => {
    const t = r.ignoreTrailingDotsAndSpaces ? s.replace(/[. ]+$/, '') : s;
    return r.ignoreCase ? fold(t) : t;
  });
  return patternOk(pattern.split('/'), 0, norm, raw, 0, who, r);
}

function specificity(pattern: string): number[] {
  const segs = pattern.split('/');
  const lit = segs.filter((s) => !s.includes('*') && !s.startsWith('{')).length;
  const vars = segs.filter((s) => s.startsWith('{')).length;
  const globChars = segs.filter((s) => s.includes('*') && s !== '**').reduce((n, s) => n + s.replace(/\*/g, '').length, 0);
  const stars = segs.filter((s) => s === '**').length;
  return [lit, vars, globChars, segs.length - stars, -stars];
}

function selectorMatches(sel: string, who: Principal): boolean {
  if (sel === '*') return true;
  if (sel === 'anonymous') return who.kind === 'anonymous';
  if (who.kind !== 'user') return false;
  if (sel === 'authenticated') return true;
  if (sel.startsWith('user:')) return who.subject === sel.slice(5);
  if (sel.startsWith('group:')) return who.groups.includes(sel.slice(6));
  return who.claims.dept === sel.slice('claim:dept='.length);
}

function oracle(rules: readonly RuleArb[], who: Principal, action: Action, key: string) {
  if (!key.split('/').every(validSeg)) return { effect: 'deny', rule: null, reason: 'key is not a valid object key' };
  let best: { i: number; spec: number[] } | undefined;
  for (const [i, r] of rules.entries()) {
    if (!r.actions.includes(action) || !r.principals.some((s) => selectorMatches(s, who))) continue;
    const hits = r.paths.filter((p) => matchesRule(p, key, who, r));
    if (hits.length === 0) continue;
    if (r.effect === 'deny') return { effect: 'deny', rule: `r${i}`, reason: `denied by rule "r${i}"` };
    for (const p of hits) {
      const spec = specificity(p);
      const cmp = best ? spec.map((v, j) => v - best!.spec[j]!).find((d) => d !== 0) ?? 0 : 1;
      if (cmp > 0) best = { i, spec };
    }
  }
  if (!best) return { effect: 'deny', rule: null, reason: `no rule allowed ${action} on this key for this caller` };
  return { effect: 'allow', rule: `r${best.i}`, constraints: { ttl: rules[best.i]!.ttl } };
}
