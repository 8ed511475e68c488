/**
 * The deployable bundle (infra/lambda-bundle.ts, built once here): self-contained, free of what
 * the Lambda must not carry (the embedded store, the long-lived runtime, the AWS SDK, the
 * packages the shims replace), and working when required cold in a fresh Node process. The
 * shims stay faithful to what they replace.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { lambdaBuildOptions, REPO_ROOT } from '../../infra/lambda-bundle';
import * as iconvShim from '../../src/lambda/shims/iconv-lite';
import mimeShim from '../../src/lambda/shims/mime-db';
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
  // The naive bundle (express + serverless-http + client-s3 + presigner) is ~1.44 MB.
  expect(statSync(outfile).size).toBeLessThan(1_000_000);
});

test.each([
  ['the embedded store', /src\/store\//],
  ['the long-lived runtime and server', /src\/(runtime|server|cli)\.ts$/],
  ['the AWS SDK', /node_modules\/@(aws-sdk|smithy)\//],
  ['iconv-lite', /node_modules\/iconv-lite\//],
  ['mime-db', /node_modules\/mime-db\//],
])('does not contain %s', (_what, pattern) => {
  expect(inputs.filter((i) => pattern.test(i))).toEqual([]);
});

test('required cold in a fresh process, it answers an HTTP API event with a 307', () => {
  const outcome = eventFor('http-api', { method: 'GET', path: '/files/cold/start.txt' });
  if (outcome.kind !== 'event') throw new Error('unexpected');
  const script = `require(process.argv[1]).handler(${JSON.stringify(outcome.event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const env = { PATH: process.env.PATH ?? '', ...TEST_ENV, SIGNPOST_ALLOW_ALL: 'true', SIGNPOST_LOG_LEVEL: 'silent' };
  const out = execFileSync(process.execPath, ['-e', script, outfile], { env, encoding: 'utf8' });
  const result = JSON.parse(out) as { statusCode: number; headers: Record<string, string> };
  expect(result.statusCode).toBe(307);
  expect(result.headers.location).toMatch(/^https:\/\/signpost-lambda-test\.s3\.eu-west-1\.amazonaws\.com\/cold\/start\.txt\?/);
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
});
