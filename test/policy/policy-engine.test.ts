import { compilePolicy, PolicyError, type Action } from '../../src/policy';
import { alice, anon, engineOf, user } from './fixtures';

describe('decide', () => {
  it('denies with a reason when no rule allows', () => {
    const d = engineOf({ paths: 'public/**', actions: 'read' }).decide(alice, 'write', 'public/x');
    expect(d).toEqual({ effect: 'deny', rule: null, reason: 'no rule allowed write on this key for this caller' });
  });

  it('an empty policy denies everything', () => {
    expect(compilePolicy({ rules: [] }).decide(alice, 'read', 'x').effect).toBe('deny');
  });

  it.each([
    ['deny first', [{ id: 'no', paths: 'a/**', effect: 'deny' as const }, { id: 'yes', paths: 'a/b/c' }]],
    ['deny last', [{ id: 'yes', paths: 'a/b/c' }, { id: 'no', paths: 'a/**', effect: 'deny' as const }]],
    ['deny less specific', [{ id: 'yes', paths: 'a/b/c', ttl: 5 }, { id: 'no', paths: '**', effect: 'deny' as const }]],
  ])('deny overrides allow (%s)', (_name, rules) => {
    expect(engineOf(...rules).decide(alice, 'read', 'a/b/c')).toEqual({ effect: 'deny', rule: 'no', reason: 'denied by rule "no"' });
  });

  it('reports the earliest matching deny', () => {
    const e = engineOf({ id: 'd1', paths: '**', effect: 'deny' }, { id: 'd2', paths: 'a/**', effect: 'deny' });
    expect(e.decide(alice, 'read', 'a/x').rule).toBe('d1');
  });

  it('a deny for another action or principal does not apply', () => {
    const e = engineOf({ paths: '**' }, { paths: '**', actions: 'delete', effect: 'deny' }, { paths: '**', principals: 'user:bob', effect: 'deny' });
    expect(e.decide(alice, 'read', 'x').effect).toBe('allow');
    expect(e.decide(alice, 'delete', 'x').effect).toBe('deny');
    expect(e.decide(user('bob'), 'read', 'x').effect).toBe('deny');
  });

  it.each(['read', 'write', 'delete', 'list', 'share'] as Action[])('actions filter: only read and list allowed, %s', (action) => {
    const e = engineOf({ paths: '**', actions: ['read', 'list'] });
    expect(e.decide(alice, action, 'x').effect).toBe(action === 'read' || action === 'list' ? 'allow' : 'deny');
  });

  it.each([['empty', ''], ['empty segment', 'a//b'], ['dot', 'a/./b'], ['dotdot', 'a/../b'], ['leading slash', '/a'], ['trailing slash', 'a/'], ['NUL', 'a\u0000b'], ['DEL', 'a\u007fb']])(
    'fails closed on a malformed key (%s) even under an allow-all rule',
    (_label, key) => {
      expect(engineOf({ paths: '**' }).decide(alice, 'read', key)).toMatchObject({ effect: 'deny', reason: 'key is not a valid object key' });
    },
  );

  it.each(['chmod', 'toString', '__proto__', 'constructor'])('denies an action it does not know (%s)', (action) => {
    expect(engineOf({ paths: '**' }).decide(alice, action as Action, 'x')).toEqual({ effect: 'deny', rule: null, reason: 'unknown action' });
  });

  it('denies a key that is not a string (runtime guard)', () => {
    expect(engineOf({ paths: '**' }).decide(alice, 'read', undefined as unknown as string).effect).toBe('deny');
  });
});

describe('which allow constraints apply: the most specific pattern, then file order', () => {
  const e = engineOf(
    { id: 'everything', paths: '**', maxSize: '10MB' },
    { id: 'videos', paths: 'videos/**', maxSize: '5GiB', contentTypes: ['video/*'] },
    { id: 'own-home', paths: 'home/{sub}/**', ttl: 60 },
    { id: 'any-home', paths: 'home/*/**', ttl: 5 },
    { id: 'alice-home', paths: 'home/alice/**', createOnly: true },
    { id: 'mp4', paths: 'videos/*.mp4', ttl: 30 },
    { id: 'mp4-again', paths: 'videos/*.mp4', ttl: 999 },
    { id: 'multi', paths: ['**', 'docs/reports/**'], ttl: 7 },
  );

  it.each([
    ['notes.txt', 'everything', { maxSize: 10_000_000 }],
    ['videos/a/b.mov', 'videos', { maxSize: 5 * 1024 ** 3, contentTypes: ['video/*'] }],
    ['videos/b.mp4', 'mp4', { ttl: 30 }], // more literal characters than videos/**; mp4-again loses the tie by file order
    ['home/bob/x', 'any-home', { ttl: 5 }], // own-home only binds alice's own folder
    ['home/alice/x', 'alice-home', { createOnly: true }], // 2 literal segments beat the variable
    ['docs/reports/q1.pdf', 'multi', { ttl: 7 }], // a rule ranks by its most specific matching pattern
  ])('%p -> %p', (key, rule, constraints) => {
    const d = e.decide(alice, 'write', key);
    expect(d).toEqual({ effect: 'allow', rule, constraints });
  });

  it('a variable beats a wildcard for the caller who binds it', () => {
    expect(e.decide(user('bob'), 'write', 'home/bob/x')).toMatchObject({ rule: 'own-home', constraints: { ttl: 60 } });
  });

  // Each pair also in the other file order, so file order cannot be what decides.
  it.each([
    ['a variable beats a wildcard', 'home/*/**', 'home/{sub}/**', 'home/bob/x'],
    ['more literal characters in a glob win', 'logs/*.gz', 'logs/*.tar.gz', 'logs/a.tar.gz'],
    ['more fixed segments win', 'a/*/**', 'a/*/*/**', 'a/b/c/d'],
    ['fewer ** win', 'a/**/z', 'a/z', 'a/z'],
  ])('%s: %p < %p', (_rank, broad, narrow, key) => {
    const rules = { broad: { id: 'broad', paths: broad }, narrow: { id: 'narrow', paths: narrow } };
    expect(engineOf(rules.broad, rules.narrow).decide(user('bob'), 'write', key)).toMatchObject({ rule: 'narrow' });
    expect(engineOf(rules.narrow, rules.broad).decide(user('bob'), 'write', key)).toMatchObject({ rule: 'narrow' });
  });

  it('absent constraints are absent keys', () => {
    const d = engineOf({ paths: '**' }).decide(alice, 'read', 'x');
    expect(d.effect === 'allow' && Object.keys(d.constraints)).toEqual([]);
  });
});

describe('principals in rules', () => {
  it.each([
    ['*', 'anonymous', anon, true],
    ['authenticated', 'anonymous', anon, false],
    ['anonymous', 'alice', alice, false],
    [['user:bob', 'group:eng'], 'alice', alice, true],
    [['user:bob', 'group:ops'], 'alice', alice, false],
    ['claim:dept=finance', 'alice', alice, true],
  ])('%p admits %s: %p', (principals, _name, who, allowed) => {
    expect(engineOf({ paths: '**', principals }).decide(who, 'read', 'x').effect).toBe(allowed ? 'allow' : 'deny');
  });
});

describe('explain', () => {
  const e = engineOf(
    { id: 'teams', paths: ['teams/{group}/**', 'teams/{group}/{sub}/**'], ttl: 60 },
    { id: 'no-exe', paths: '**/*.exe', actions: 'write', effect: 'deny' },
    { id: 'all', paths: '**', principals: 'group:eng' },
  );

  it('lists every matching rule in file order with bound variables', () => {
    const x = e.explain(alice, 'read', 'teams/eng/alice/notes.txt');
    expect(x.decision).toMatchObject({ effect: 'allow', rule: 'teams' });
    expect(x.constraints).toEqual({ ttl: 60 });
    expect(x.matched).toEqual([
      { ruleId: 'teams', effect: 'allow', pattern: 'teams/{group}/{sub}/**', bound: { group: 'eng', sub: 'alice' } },
      { ruleId: 'all', effect: 'allow', pattern: '**', bound: {} },
    ]);
  });

  it('shows the deny and null constraints when denied', () => {
    const x = e.explain(alice, 'write', 'teams/eng/a.exe');
    expect(x.decision).toMatchObject({ effect: 'deny', rule: 'no-exe' });
    expect(x.constraints).toBeNull();
    expect(x.matched.map((m) => m.ruleId)).toEqual(['teams', 'no-exe', 'all']);
  });

  it('binds claims by their variable name', () => {
    const x = engineOf({ paths: 'depts/{claim.dept}/**' }).explain(alice, 'read', 'depts/finance/x');
    expect(x.matched[0]?.bound).toEqual({ 'claim.dept': 'finance' });
  });

  it('matches decide on malformed keys', () => {
    expect(e.explain(alice, 'read', 'a//b')).toMatchObject({ matched: [], constraints: null, decision: { effect: 'deny' } });
  });
});

/** What compiling a policy with a bad path and a bad action throws. */
function badPolicyError(): unknown {
  try {
    compilePolicy({ rules: [{ id: 'x', paths: 'a//b', actions: 'fly', principals: '*', effect: 'allow' }] });
  } catch (e) {
    return e;
  }
  throw new Error('compilePolicy accepted a bad policy');
}

describe('compilePolicy validation', () => {
  it('throws a PolicyError listing every problem, naming rule and field', () => {
    const err = badPolicyError();
    expect(err).toBeInstanceOf(PolicyError);
    const problems = (err as PolicyError).problems;
    expect(problems.map((p) => [p.ruleIndex, p.ruleId, p.field])).toEqual([
      [0, 'x', 'paths[0]'],
      [0, 'x', 'actions[0]'],
    ]);
  });

  it('accepts its own normalized output (idempotent schema)', () => {
    const doc = { rules: [{ id: 'a', paths: ['x/**'], actions: ['read'], principals: ['*'], effect: 'allow' as const, maxSize: 5, contentTypes: ['image/*'] }] };
    expect(compilePolicy(doc).decide(anon, 'read', 'x/y')).toMatchObject({ effect: 'allow', constraints: { maxSize: 5, contentTypes: ['image/*'] } });
  });
});

describe('explain filters and picks like decide (mutation-testing survivors)', () => {
  const bob = user('bob', ['ops']);

  it('leaves out rules for other actions and for other callers', () => {
    const e = engineOf({ id: 'no-exe', paths: '**/*.exe', actions: 'write', effect: 'deny' }, { id: 'eng', paths: '**', principals: 'group:eng' }, { id: 'anyone', paths: '**' });
    expect(e.explain(alice, 'read', 'a.exe').matched.map((m) => m.ruleId)).toEqual(['eng', 'anyone']);
    expect(e.explain(bob, 'read', 'a.exe').matched.map((m) => m.ruleId)).toEqual(['anyone']);
    expect(e.explain(bob, 'write', 'a.exe').matched.map((m) => m.ruleId)).toEqual(['no-exe', 'anyone']);
  });

  it.each([
    [['teams/{group}/{sub}/**', 'teams/{group}/**']],
    [['teams/{group}/**', 'teams/{group}/{sub}/**']],
  ])('shows the most specific of a rule\'s matching patterns, whatever their order: %j', (paths) => {
    const x = engineOf({ id: 'teams', paths }).explain(alice, 'read', 'teams/eng/alice/x');
    expect(x.matched).toEqual([{ ruleId: 'teams', effect: 'allow', pattern: 'teams/{group}/{sub}/**', bound: { group: 'eng', sub: 'alice' } }]);
  });

  it('binds only variables, at their own positions', () => {
    const x = engineOf({ paths: 'a/{sub}/b/{group}/**' }).explain(alice, 'read', 'a/alice/b/eng/x/y');
    expect(x.matched[0]?.bound).toEqual({ sub: 'alice', group: 'eng' });
  });
});

describe('constraints carried from the rule', () => {
  const rule = { id: 'r', paths: 'x/**', actions: ['read'], principals: ['*'], effect: 'allow' as const };

  it.each([
    [{ inlineActive: true }, { inlineActive: true }],
    [{ inlineActive: false }, { inlineActive: false }],
    [{ renameDownloads: true }, { renameDownloads: true }],
    [{ renameDownloads: false }, { renameDownloads: false }],
    [{}, {}],
  ])('%j -> constraints %j, nothing else', (extra, constraints) => {
    const d = compilePolicy({ version: 1, rules: [{ ...rule, ...extra }] }).decide(anon, 'read', 'x/y');
    expect(d).toStrictEqual({ effect: 'allow', rule: 'r', constraints }); // strict: an absent constraint is no key at all
  });
});

describe('PolicyError', () => {
  it('is named and says every problem on its own line', () => {
    const err = badPolicyError();
    expect((err as Error).name).toBe('PolicyError');
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('invalid policy:');
    expect(lines).toHaveLength(3);
  });
});
