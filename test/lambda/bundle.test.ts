/**
 * The deployable bundle (infra/lambda-bundle.ts, built once here): self-contained, free of what
 * the Lambda must not carry (the embedded store, the long-lived runtime, the AWS SDK, the
 * packages the shims replace), and working when required cold in a fresh Node process: the
 * redirect, the routes express serves (loaded on first use), a JSON policy, and a clear refusal
 * of YAML. The shims stay faithful to what they replace (pino: pino-shim.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_ALIASES, lambdaBuildOptions, REPO_ROOT } from '../../infra/lambda-bundle';
import * as iconvShim from '../../src/lambda/shims/iconv-lite';
import mimeShim from '../../src/lambda/shims/mime-db';
import * as qsShim from '../../src/lambda/shims/qs';
import * as yamlShim from '../../src/lambda/shims/yaml';
import { eventFor } from './support/door-events';
import { TEST_ENV } from './support/lambda-under-test';

let dir: string;
let outfile: string;
let inputs: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-bundle-'));
  outfile = join(dir, 'lambda.js');
  const result = await build({ ...lambdaBuildOptions(outfile), metafile: true });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  inputs = Object.keys(output.inputs);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one minified file and its source map', () => {
  expect(readdirSync(dir).sort()).toEqual(['lambda.js', 'lambda.js.map']);
  expect(readFileSync(outfile, 'utf8')).toMatch(/\/\/# sourceMappingURL=lambda\.js\.map\s*$/);
  // The naive bundle (express + serverless-http + client-s3 + presigner) is ~1.44 MB; this was
  // ~0.42 MB and is ~0.50 MB with Git LFS, Uppy and URL tickets (zod is the largest part, 0.1 MB).
  expect(statSync(outfile).size).toBeLessThan(550_000);
});

test.each([
  ['the embedded store', /src\/store\//],
  ['the long-lived runtime and server', /src\/(runtime|server|cli)\.ts$/],
  ['the AWS SDK', /node_modules\/@(aws-sdk|smithy)\//],
  ['the Azure SDK', /node_modules\/@azure\//],
  ...Object.keys(LAMBDA_ALIASES).map((name) => [name, new RegExp(`node_modules/${name}/`)] as [string, RegExp]),
  ['what pino alone needs (sonic-boom, thread-stream)', /node_modules\/(sonic-boom|thread-stream|@pinojs)\//],
  ['what qs alone needs (side-channel, object-inspect)', /node_modules\/(side-channel|object-inspect)\//],
])('does not contain %s', (_what, pattern) => {
  expect(inputs.filter((i) => pattern.test(i))).toEqual([]);
});

describe('required cold in a fresh process', () => {
  const BASE_ENV = { PATH: process.env.PATH ?? '', ...TEST_ENV, SIGNPOST_LOG_LEVEL: 'silent' };
  interface Result {
    statusCode: number;
    headers: Record<string, string>;
    body?: string;
  }
  const invoke = (env: Record<string, string>, method: string, path: string) => {
    const outcome = eventFor('http-api', { method, path });
    if (outcome.kind !== 'event') throw new Error('unexpected');
    const script = `require(process.argv[1]).handler(${JSON.stringify(outcome.event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
    return spawnSync(process.execPath, ['-e', script, outfile], { env: { ...BASE_ENV, ...env }, encoding: 'utf8' });
  };
  const answer = (env: Record<string, string>, method: string, path: string): Result => {
    const run = invoke(env, method, path);
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as Result;
  };
  const policyFile = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const POLICY = { version: 1, rules: [{ id: 'public', paths: 'public/**', actions: ['read'], principals: '*', effect: 'allow' }] };

  test('it answers an HTTP API event with a 307', () => {
    const result = answer({ SIGNPOST_ALLOW_ALL: 'true' }, 'GET', '/files/cold/start.txt');
    expect(result.statusCode).toBe(307);
    expect(result.headers.location).toMatch(/^https:\/\/signpost-lambda-test\.s3\.eu-west-1\.amazonaws\.com\/cold\/start\.txt\?/);
  });

  test('express, loaded on first use, serves /healthz and the JSON 404', () => {
    expect(answer({ SIGNPOST_ALLOW_ALL: 'true' }, 'GET', '/healthz')).toMatchObject({ statusCode: 200 });
    const missing = answer({ SIGNPOST_ALLOW_ALL: 'true' }, 'GET', '/nope?a[b]=c');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body!)).toMatchObject({ error: 'not_found' });
  });

  test('logs go to stdout as pino\'s JSON lines', () => {
    const run = invoke({ SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_LOG_LEVEL: 'info' }, 'GET', '/files/a.txt');
    const request = run.stdout.split('\n').find((l) => l.includes('"msg":"request"'));
    expect(JSON.parse(request!)).toMatchObject({ level: 30, service: 'signpost', method: 'GET', path: '/files/a.txt', status: 307, msg: 'request' });
  });

  test('a JSON policy decides', () => {
    const env = { SIGNPOST_POLICY: policyFile('policy.json', JSON.stringify(POLICY)) };
    expect(answer(env, 'GET', '/files/public/a.txt').statusCode).toBe(307);
    expect(answer(env, 'GET', '/files/private/a.txt').statusCode).toBe(401);
  });

  test('an invalid JSON policy stops init with its problems (without line numbers: no yaml here)', () => {
    const env = { SIGNPOST_POLICY: policyFile('bad.json', JSON.stringify({ ...POLICY, rules: [{ ...POLICY.rules[0], actions: ['fly'] }] })) };
    const run = invoke(env, 'GET', '/files/public/a.txt');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/invalid policy:\n {2}- \S*bad\.json: rules\[0\] \(id "public"\) actions\[0\]: /);
  });

  test('a YAML policy or config file stops init saying to use JSON (never mis-read)', () => {
    const yamlPolicy = invoke({ SIGNPOST_POLICY: policyFile('policy.yaml', 'version: 1\nrules: []\n') }, 'GET', '/files/a.txt');
    expect(yamlPolicy.status).not.toBe(0);
    expect(yamlPolicy.stderr).toMatch(/invalid policy:\n {2}- \S*policy\.yaml: \(syntax\): YAML is not available in the Lambda bundle: use a JSON file/);
    const yamlConfig = invoke({ SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_CONFIG: policyFile('signpost.yaml', 'mounts: []\n') }, 'GET', '/files/a.txt');
    expect(yamlConfig.status).not.toBe(0);
    expect(yamlConfig.stderr).toMatch(/cannot parse SIGNPOST_CONFIG file \S*signpost\.yaml: YAML is not available in the Lambda bundle/);
  });
});

describe('shims', () => {
  test('mime-db: the entries kept are mime-db\'s own', () => {
    const real = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/mime-db/db.json'), 'utf8')) as Record<string, unknown>;
    for (const [type, entry] of Object.entries(mimeShim)) expect([type, entry]).toEqual([type, real[type]]);
  });

  test('iconv-lite: UTF-8 decodes across chunk boundaries; other charsets fail as iconv-lite does', () => {
    const bytes = Buffer.from('{"name":"日本語 λ"}');
    const decoder = iconvShim.getDecoder('UTF-8');
    const text = decoder.write(bytes.subarray(0, 10)) + decoder.write(bytes.subarray(10)) + (decoder.end() ?? '');
    expect(text).toBe('{"name":"日本語 λ"}');
    expect(iconvShim.decode(bytes, 'utf8')).toBe(text);
    expect(iconvShim.encodingExists('utf-8')).toBe(true);
    expect(iconvShim.encodingExists('latin1')).toBe(false);
    // raw-body recognises this message and answers 415.
    expect(() => iconvShim.getDecoder('shift_jis')).toThrow(/^Encoding not recognized: /);
  });

  test('qs: any use throws (express 5 parses query strings with node:querystring; no urlencoded parser is mounted)', () => {
    expect(() => qsShim.parse('a[b]=c')).toThrow(/qs is not available in the Lambda bundle/);
    expect(() => qsShim.stringify({ a: 1 })).toThrow(/qs is not available in the Lambda bundle/);
  });

  test('yaml: anything that would parse throws the message init shows; nothing is a yaml node', () => {
    expect(() => yamlShim.parse('a: 1')).toThrow(yamlShim.YAML_UNAVAILABLE);
    expect(() => yamlShim.parseDocument('{}')).toThrow(yamlShim.YAML_UNAVAILABLE);
    expect(() => new yamlShim.LineCounter().linePos(0)).toThrow(yamlShim.YAML_UNAVAILABLE);
    expect([yamlShim.isMap({}), yamlShim.isScalar('a')]).toEqual([false, false]);
  });
});
