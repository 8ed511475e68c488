// Matching options for deny lists (ignoreCase, ignoreTrailingDotsAndSpaces) and the worked
// example in examples/policy.yaml that relies on them.
import fc from 'fast-check';
import { join } from 'node:path';
import { compilePolicy, loadPolicyFile, PolicyError } from '../../src/policy';
import { foldCase, trimTrailingDotsAndSpaces } from '../../src/policy/match-options';
import { createApp } from '../../src/app';
import { memoryLogger } from '../support/memory-log';
import { unreachableS3 } from '../support/unreachable-s3';
import { listen, rawRequest } from '../support/raw-http';
import { alice, engineOf, user } from './fixtures';

const denyExe = (options: { ignoreCase?: boolean; ignoreTrailingDotsAndSpaces?: boolean }) =>
  engineOf({ id: 'all', paths: '**' }, { id: 'no-exe', paths: ['**/*.exe', '**/node_modules/**', 'bin/**'], effect: 'deny', ...options });

describe('matching options', () => {
  it.each([
    // key, exact, ignoreCase, trailing dots and spaces, both
    ['x.exe', true, true, true, true],
    ['a/b/TOOL.EXE', false, true, false, true],
    ['x.Exe', false, true, false, true],
    ['x.exe.', false, false, true, true],
    ['x.exe ', false, false, true, true],
    ['x.exe. .', false, false, true, true],
    ['x.EXE.', false, false, false, true],
    ['x.exe/y', false, false, false, false],
    ['x.exes', false, false, false, false],
    ['x.ex\u0435', false, false, false, false], // Cyrillic е is another letter, not another case
    ['a/NODE_MODULES/y', false, true, false, true],
    ['a/node_modules./y', false, false, true, true],
    ['BIN/x', false, true, false, true],
    ['bin /x', false, false, true, true],
  ])('%j: exact %p, ignoreCase %p, trailing %p, both %p', (key, exact, ignoreCase, trailing, both) => {
    const denied = (o: Parameters<typeof denyExe>[0]) => denyExe(o).decide(alice, 'write', key).effect === 'deny';
    expect([denied({}), denied({ ignoreCase: true }), denied({ ignoreTrailingDotsAndSpaces: true }), denied({ ignoreCase: true, ignoreTrailingDotsAndSpaces: true })]).toEqual([
      exact,
      ignoreCase,
      trailing,
      both,
    ]);
  });

  it.each([
    ['\u017f', 's'], // long s
    ['\u212a', 'k'], // Kelvin sign
    ['\u00df', 'ss'],
    ['\u03a3\u03c2', '\u03c3\u03c3'], // capital and final sigma
    ['\u0130', 'i\u0307'],
  ])('folds %j like %j', (a, b) => {
    expect(foldCase(a)).toBe(foldCase(b));
  });

  it('folds every sigma to σ, keeping it a letter of its own', () => {
    expect(foldCase('\u039f\u0394\u039f\u03a3')).toBe('\u03bf\u03b4\u03bf\u03c3'); // ΟΔΟΣ
    expect(foldCase('\u03b1\u03c2')).not.toBe(foldCase('\u03b1')); // ας is not α
  });

  it('case folding is per code point, so folded glob pieces match folded keys', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => foldCase(a + b) === foldCase(a) + foldCase(b)));
  });

  it.each([
    ['x.', 'x'],
    ['x. .', 'x'],
    ['x', 'x'],
    ['...', ''],
    [' ', ''],
    ['.env', '.env'],
  ])('trims %j to %j', (raw, trimmed) => {
    expect(trimTrailingDotsAndSpaces(raw)).toBe(trimmed);
  });

  it('variables compare with the raw key segment: no folding of who the caller is', () => {
    const e = engineOf({ id: 'home', paths: 'home/{sub}/**', ignoreCase: true, ignoreTrailingDotsAndSpaces: true });
    expect(e.decide(alice, 'read', 'HOME/alice/x').effect).toBe('allow');
    expect(e.decide(alice, 'read', 'home/ALICE/x').effect).toBe('deny');
    expect(e.decide(alice, 'read', 'home/alice./x').effect).toBe('deny');
    expect(e.decide(user('Alice'), 'read', 'home/Alice/x').effect).toBe('allow');
    expect(e.explain(user('Alice'), 'read', 'Home./Alice/x').matched).toEqual([{ ruleId: 'home', effect: 'allow', pattern: 'home/{sub}/**', bound: { sub: 'Alice' } }]);
  });

  it('options do not change which allow is the most specific', () => {
    const e = engineOf({ id: 'loose', paths: 'docs/**', ignoreCase: true, ttl: 1 }, { id: 'exact', paths: 'docs/*.pdf', ttl: 2 });
    expect(e.decide(alice, 'read', 'docs/a.pdf').rule).toBe('exact');
    expect(e.decide(alice, 'read', 'DOCS/a.pdf').rule).toBe('loose');
  });

  it('a segment of dots and spaces alone trims to empty, which only * and ** match', () => {
    const e = engineOf({ id: 'star', paths: 'a/*', ignoreTrailingDotsAndSpaces: true }, { id: 'dots', paths: 'b/.*', ignoreTrailingDotsAndSpaces: true });
    expect(e.decide(alice, 'read', 'a/...').rule).toBe('star');
    expect(e.decide(alice, 'read', 'b/...').effect).toBe('deny');
    expect(e.decide(alice, 'read', 'b/.env.').rule).toBe('dots');
  });

  it.each([
    ['**/*.exe.', /"\*\.exe\." ends in "\." or " "/],
    ['bin /**', /"bin " ends in "\." or " "/],
  ])('refuses %j with trailing dots and spaces ignored: it could never match', (path, message) => {
    expect(() => compilePolicy({ rules: [{ id: 'x', paths: path, actions: '*', principals: '*', effect: 'deny', ignoreTrailingDotsAndSpaces: true }] })).toThrow(message);
    expect(() => compilePolicy({ rules: [{ id: 'x', paths: path, actions: '*', principals: '*', effect: 'deny' }] })).not.toThrow();
  });

  it('refuses options that are not booleans', () => {
    const bad = { rules: [{ id: 'x', paths: '**', actions: '*', principals: '*', effect: 'deny', ignoreCase: 'yes' }] };
    expect(() => compilePolicy(bad as never)).toThrow(PolicyError);
  });
});

describe('examples/policy.yaml: no executables anywhere', () => {
  const loaded = loadPolicyFile(join(__dirname, '../../examples/policy.yaml'));
  if (!loaded.ok) throw new Error('examples/policy.yaml does not load');
  const staff = user('sam', ['staff', 'partners']);

  it.each(['home/sam/tool.exe', 'home/sam/TOOL.EXE', 'home/sam/x.EXE', 'home/sam/x.Exe', 'home/sam/x.exe.', 'home/sam/x.exe ', 'archive/run.BAT', 'archive/run.cmd. ', 'inbox/x.SH'])('denies writing %j', (key) => {
    expect(loaded.policy.decide(staff, 'write', key)).toMatchObject({ effect: 'deny', rule: 'no-executables' });
  });

  it.each(['home/sam/tool.exe.txt', 'home/sam/notes.txt', 'home/sam/exe'])('still allows writing %j', (key) => {
    expect(loaded.policy.decide(staff, 'write', key)).toMatchObject({ effect: 'allow', rule: 'own-home' });
  });

  describe('through the gateway: PUT /files/home/sam/<name>', () => {
    const backend = unreachableS3();
    let gateway: Awaited<ReturnType<typeof listen>>;
    beforeAll(async () => {
      const app = createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }], logger: memoryLogger('fatal').logger, urlTtl: 60, decide: loaded.policy.decide, authenticate: () => Promise.resolve(staff) });
      gateway = await listen(app);
    });
    afterAll(() => gateway.close());

    it.each([
      ['TOOL.EXE', 403],
      ['x.EXE', 403],
      ['x.Exe', 403],
      ['x.exe.', 403],
      ['x.exe%20', 403],
      ['x.exe%20.', 403],
      ['run.Bat', 403],
      ['x.exe.txt', 307],
      ['notes.txt', 307],
    ])('%s -> %d', async (name, status) => {
      const res = await rawRequest(gateway.url, 'PUT', `/files/home/sam/${name}`, { 'Content-Length': '3' }, 'abc');
      expect(res.status).toBe(status);
    });
  });
});
