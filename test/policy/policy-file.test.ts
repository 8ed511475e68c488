import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, loadPolicyFile, parsePolicy, type PolicyProblem } from '../../src/policy';
import type * as PolicyFileModule from '../../src/policy/policy-file';
import type * as YamlShim from '../../src/lambda/shims/yaml';
import { alice, anon } from './fixtures';

const EXAMPLE = `# Signpost policy
version: 1
rules:
  - id: public-read
    paths: public/**
    actions: [read, list]
    principals: "*"
    effect: allow
  - id: own-home
    paths: ["home/{sub}", "home/{sub}/**"]
    actions: "*"
    principals: [authenticated]
    effect: allow
    maxSize: 100MB
    ttl: 300
  - id: avatars
    paths: avatars/{sub}/*
    actions: [write]
    principals: authenticated
    effect: allow
    maxSize: 1MiB
    contentTypes: [image/png, image/*]
    createOnly: true
  - id: no-executables
    paths: ["**/*.exe"]
    actions: [write]
    principals: ["*"]
    effect: deny
`;

function problemsOf(text: string, format: 'yaml' | 'json' = 'yaml'): PolicyProblem[] {
  const r = parsePolicy(text, { format, sourceName: `p.${format}` });
  if (r.ok) throw new Error('expected problems');
  return [...r.problems];
}

describe('parsePolicy (YAML)', () => {
  it('compiles the documented example', () => {
    const r = parsePolicy(EXAMPLE, { sourceName: 'policy.yaml' });
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.document.rules).toHaveLength(4);
    expect(r.policy.decide(anon, 'read', 'public/a.css').effect).toBe('allow');
    expect(r.policy.decide(alice, 'write', 'home/alice/x')).toEqual({ effect: 'allow', rule: 'own-home', constraints: { maxSize: 100_000_000, ttl: 300 } });
    expect(r.policy.decide(alice, 'list', 'home/alice').effect).toBe('allow');
    expect(r.policy.decide(alice, 'write', 'home/alice/x.exe').effect).toBe('deny');
    expect(r.policy.decide(alice, 'write', 'avatars/alice/me.png')).toMatchObject({ rule: 'avatars', constraints: { createOnly: true } });
  });

  it.each([
    ['unknown field, at the key', 'rules:\n  - id: a\n    paths: x\n    actions: read\n    principals: "*"\n    effect: allow\n    maxsize: 3\n', 0, 'a', 'maxsize', 7, 5, /unknown field "maxsize"/],
    ['bad pattern, at the list item', 'rules:\n  - id: a\n    paths: [ok/**, "x//y"]\n    actions: read\n    principals: "*"\n    effect: allow\n', 0, 'a', 'paths[1]', 3, 20, /empty segment/],
    ['missing field, at the rule', 'rules:\n  - id: a\n    paths: x\n    principals: "*"\n    effect: allow\n', 0, 'a', 'actions', 2, 5, /required field is missing/],
    ['bad principal', 'rules:\n  - id: a\n    paths: x\n    actions: read\n    principals: [root]\n    effect: allow\n', 0, 'a', 'principals[0]', 5, 18, /unknown principal "root"/],
    ['bad size', 'rules:\n  - id: a\n    paths: x\n    actions: read\n    principals: "*"\n    effect: allow\n    maxSize: 10 parsecs\n', 0, 'a', 'maxSize', 7, 14, /not a size/],
    ['constraint on deny', 'rules:\n  - id: a\n    paths: x\n    actions: read\n    principals: "*"\n    effect: deny\n    ttl: 5\n', 0, 'a', 'ttl', 7, 10, /only apply to allow/],
    ['bad id, named by index', 'rules:\n  - id: "has space"\n    paths: x\n    actions: read\n    principals: "*"\n    effect: allow\n', 0, 'has space', 'id', 2, 9, /must be 1-128/],
    ['bad effect', 'rules:\n  - id: a\n    paths: x\n    actions: read\n    principals: "*"\n    effect: permit\n', 0, 'a', 'effect', 6, 13, /"allow" or "deny"/],
    ['a pattern its matching options make unmatchable', 'rules:\n  - id: a\n    paths: [ok/**, "x/y."]\n    actions: read\n    principals: "*"\n    effect: allow\n    ignoreTrailingDotsAndSpaces: true\n', 0, 'a', 'paths[1]', 3, 20, /"y\." ends in "\." or " "/],
  ])('%s', (_name, text, ruleIndex, ruleId, field, line, column, message) => {
    const [p, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ source: 'p.yaml', ruleIndex, ruleId, field, line, column });
    expect(p?.message).toMatch(message);
  });

  it('reports duplicate ids at the second one', () => {
    const rule = (id: string) => `  - id: ${id}\n    paths: x\n    actions: read\n    principals: "*"\n    effect: allow\n`;
    const [p] = problemsOf(`rules:\n${rule('a')}${rule('b')}${rule('a')}`);
    expect(p).toMatchObject({ ruleIndex: 2, field: 'id', line: 12 });
    expect(p?.message).toMatch(/duplicate id "a" \(first used by rules\[0\]\)/);
  });

  it('reports duplicate ids together with every other problem', () => {
    // A bad action stops zod before the document-level check; the duplicates are still reported.
    const rule = (id: string, paths = 'x', action = 'read') => `  - id: ${id}\n    paths: "${paths}"\n    actions: ${action}\n    principals: "*"\n    effect: allow\n`;
    const problems = problemsOf(`rules:\n${rule('a', 'x//y')}${rule('b', 'x', 'reed')}${rule('a')}${rule('b', '{user}')}`);
    expect(problems.map((p) => [p.ruleIndex, p.field, p.line])).toEqual([
      [0, 'paths[0]', 3],
      [1, 'actions[0]', 9],
      [2, 'id', 12],
      [3, 'id', 17],
      [3, 'paths[0]', 18],
    ]);
    expect(problems[2]?.message).toBe('duplicate id "a" (first used by rules[0])');
    expect(problems[3]?.message).toBe('duplicate id "b" (first used by rules[1])');
  });

  it('reports document-level problems', () => {
    expect(problemsOf('rules: {}\n')[0]).toMatchObject({ field: 'rules', line: 1 });
    expect(problemsOf('version: 1\n')).toEqual([{ source: 'p.yaml', field: 'rules', message: 'required field is missing', line: 1, column: 1 }]);
    expect(problemsOf('- a\n')).toEqual([expect.objectContaining({ field: '(document)', line: 1, column: 1 })]);
    expect(problemsOf('version: 2\nrules: []\n')[0]).toMatchObject({ field: 'version', message: 'must be 1' });
    expect(problemsOf('')[0]).toMatchObject({ field: '(document)' });
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problemsOf('rules:\n  - id: a\n   bad: [\n')[0]).toMatchObject({ field: '(syntax)', line: expect.any(Number) as number });
    const dup = problemsOf('rules:\n  - id: a\n    effect: allow\n    effect: deny\n');
    expect(dup[0]).toMatchObject({ field: '(syntax)', line: 4 });
  });

  it('reports a rule that is not an object, with or without an id anywhere', () => {
    const problems = problemsOf('rules:\n  - ~\n  - 7\n');
    expect(problems).toEqual([
      expect.objectContaining({ ruleIndex: 0, field: '(rule)', line: 2 }),
      expect.objectContaining({ ruleIndex: 1, field: '(rule)', line: 3 }),
    ]);
    expect(problems.every((p) => !('ruleId' in p))).toBe(true);
  });

  it('refuses a YAML alias bomb as a syntax problem instead of expanding it', () => {
    const levels = ['l0: &l0 [a, a, a, a, a, a, a, a, a, a]'];
    for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
    const [p, ...rest] = problemsOf(`${levels.join('\n')}\nrules: []\n`);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ field: '(syntax)', message: expect.stringMatching(/alias/i) as string });
  });

  it.each([
    [{ source: 'p.yaml', field: 'rules', message: 'm' }, 'p.yaml: rules: m'],
    [{ source: 'p.yaml', line: 3, field: 'version', message: 'm' }, 'p.yaml:3:1: version: m'],
    [{ source: 'p.json', ruleIndex: 2, field: 'paths[0]', message: 'm' }, 'p.json: rules[2] paths[0]: m'],
    [{ source: 'p.yaml', line: 4, column: 7, ruleIndex: 0, ruleId: 'own', field: 'ttl', message: 'm' }, 'p.yaml:4:7: rules[0] (id "own") ttl: m'],
  ])('formats %j as %j', (problem, text) => {
    expect(formatProblem(problem)).toBe(text);
  });

  it('formats problems as file:line:col with rule and field', () => {
    const [p] = problemsOf('rules:\n  - id: own\n    paths: ["home/{user}/**"]\n    actions: read\n    principals: "*"\n    effect: allow\n');
    expect(formatProblem(p!)).toBe('p.yaml:3:13: rules[0] (id "own") paths[0]: unknown variable "{user}"; use {sub}, {group} or {claim.NAME}');
  });
});

describe('parsePolicy (JSON)', () => {
  const json = JSON.stringify({ version: 1, rules: [{ id: 'all', paths: ['**'], actions: ['read'], principals: ['*'], effect: 'allow', maxSize: '1GiB' }] }, null, 2);

  it('compiles JSON, chosen by the .json extension', () => {
    const r = parsePolicy(json, { sourceName: 'policy.json' });
    expect(r.ok && r.document.rules[0]?.maxSize).toBe(1024 ** 3);
  });

  it('locates validation problems in JSON too', () => {
    const [p] = problemsOf(json.replace('"read"', '"reed"'), 'json');
    expect(p).toMatchObject({ ruleIndex: 0, ruleId: 'all', field: 'actions[0]', line: 10 });
  });

  it('reports JSON syntax errors', () => {
    expect(problemsOf('{"rules": [}', 'json')[0]).toMatchObject({ field: '(syntax)', message: expect.stringMatching(/not valid JSON/) as string });
  });
});

describe('without yaml (the Lambda bundle replaces it with src/lambda/shims/yaml.ts)', () => {
  // policy-file.ts loaded against the Lambda's stand-in: every yaml call throws.
  let withoutYaml: typeof PolicyFileModule;
  let yamlCalls: number;
  beforeAll(() => {
    jest.isolateModules(() => {
      jest.doMock('yaml', () => {
        const shim = jest.requireActual<typeof YamlShim>('../../src/lambda/shims/yaml');
        const counted = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): R => {
          yamlCalls++;
          return f(...args);
        };
        return { ...shim, parse: counted(shim.parse), parseDocument: counted(shim.parseDocument) };
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a copy of policy-file.ts bound to the mock
      withoutYaml = require('../../src/policy/policy-file') as typeof PolicyFileModule;
    });
    jest.dontMock('yaml');
  });
  beforeEach(() => (yamlCalls = 0));
  const json = JSON.stringify({ version: 1, rules: [{ id: 'all', paths: ['**'], actions: ['read'], principals: ['*'], effect: 'allow' }] });

  it('a valid JSON policy compiles without calling yaml', () => {
    const r = withoutYaml.parsePolicy(json, { sourceName: 'policy.json' });
    expect(r.ok && r.policy.decide(anon, 'read', 'a').effect).toBe('allow');
    expect(yamlCalls).toBe(0);
  });

  it('an invalid JSON policy still lists every problem, without line numbers', () => {
    const r = withoutYaml.parsePolicy(json.replace('"read"', '"reed"').replace('"allow"', '"permit"'), { sourceName: 'policy.json' });
    expect(!r.ok && r.problems.map((p) => [p.field, p.line])).toEqual([
      ['actions[0]', undefined],
      ['effect', undefined],
    ]);
  });

  it('a YAML policy is refused with a syntax problem saying to use JSON, never mis-read', () => {
    const r = withoutYaml.parsePolicy(EXAMPLE, { sourceName: 'policy.yaml' });
    expect(!r.ok && r.problems).toEqual([{ source: 'policy.yaml', field: '(syntax)', message: expect.stringMatching(/^YAML is not available in the Lambda bundle: use a JSON file/) as string }]);
  });
});

describe('loadPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-policy-'));

  it('loads a YAML file', () => {
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, EXAMPLE);
    const r = loadPolicyFile(path);
    expect(r.ok && r.policy.ruleCount).toBe(4);
  });

  it('names the file in problems', () => {
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'rules: [1]\n');
    const r = loadPolicyFile(path);
    expect(!r.ok && r.problems[0]).toMatchObject({ source: path, ruleIndex: 0, field: '(rule)', line: 1 });
  });

  it('reads a .json file as JSON (by its extension, in any case), with JSON\'s own errors', () => {
    const path = join(dir, 'bad.JSON');
    writeFileSync(path, '{"rules": [}');
    const r = loadPolicyFile(path);
    expect(!r.ok && r.problems[0]).toMatchObject({ source: path, field: '(syntax)', message: expect.stringMatching(/not valid JSON/) as string });
  });

  it('reports a missing file as a problem', () => {
    const path = join(dir, 'nope.yaml');
    const r = loadPolicyFile(path);
    expect(!r.ok && r.problems).toEqual([{ source: path, field: '(file)', message: 'cannot read: ENOENT' }]);
  });
});
