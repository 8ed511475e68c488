/**
 * The real CDK app (infra/app.ts, what cdk.json runs), synthesized once with bundling, with no
 * AWS credentials or profile in reach, configured through context the way the CLI passes it
 * (CDK_CONTEXT_JSON). Then the function package is opened: the bundle, its source map and the
 * generated JSON files, and the bundle is run against them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/lambda-bundle';
import { eventFor } from '../lambda/support/door-events';
import { VALID_POLICY_YAML } from './support/files';

let dir: string;
let outdir: string;
let packageDir: string;
let functionEnv: Record<string, unknown>;

const NO_AWS_ENV = (home: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') };
  return env;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-app-synth-'));
  outdir = join(dir, 'cdk.out');
  const policy = join(dir, 'policy.yaml');
  // Policies match whole object keys, key prefix included.
  writeFileSync(policy, VALID_POLICY_YAML.replace('"public/**"', '"uploads/public/**"'));
  const context = { keyPrefix: 'uploads/', policyFile: policy, allowedOrigins: 'https://app.example.com, https://admin.example.com', urlTtl: '600', share: 'false' };
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'infra/app.ts'], {
    cwd: REPO_ROOT,
    env: { ...NO_AWS_ENV(dir), CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`synth failed (${String(result.status)}):\n${result.stderr}`);

  const template = JSON.parse(readFileSync(join(outdir, 'Signpost.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
  functionEnv = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  // The code asset's S3 key is `<hash>.zip`; its staged directory is `asset.<hash>`.
  const key = (fn.Properties.Code as { S3Key: string }).S3Key;
  packageDir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the package holds the bundle, its map, the generated JSON files and the web UI, nothing else', () => {
  expect(readdirSync(packageDir).sort()).toEqual(['index.js', 'index.js.map', 'policy.json', 'signpost.json', 'web']);
  expect(readdirSync(join(packageDir, 'web')).sort()).toEqual(['assets', 'index.html', 'manifest.json']);
  expect(JSON.parse(readFileSync(join(packageDir, 'signpost.json'), 'utf8'))).toEqual({
    mounts: [{ path: '/files', prefix: 'uploads/' }],
    features: { multipart: true, listing: true, share: false, web: true },
  });
  // YAML converted to JSON at synth: the Lambda never parses YAML.
  expect(JSON.parse(readFileSync(join(packageDir, 'policy.json'), 'utf8'))).toMatchObject({ version: 1, rules: [{ id: 'public-read', paths: 'uploads/public/**' }, { id: 'own-home' }] });
});

test('the function points at the package files and names no secret value', () => {
  expect(functionEnv).toMatchObject({
    SIGNPOST_CONFIG: '/var/task/signpost.json',
    SIGNPOST_POLICY: '/var/task/policy.json',
    SIGNPOST_CORS_ORIGINS: 'https://app.example.com,https://admin.example.com',
    SIGNPOST_URL_TTL: '600',
  });
  expect(functionEnv.SIGNPOST_ALLOW_ALL).toBeUndefined();
});

describe('the bundled handler, run from the package', () => {
  const run = (env: Record<string, string>, method = 'GET', path = '/files/report.pdf') => {
    const [pathOnly = path, query] = path.split('?');
    const outcome = eventFor('http-api', { method, path: pathOnly, ...(query !== undefined && { query }), headers: method === 'PUT' ? { 'Content-Length': '3' } : {} });
    if (outcome.kind !== 'event') throw new Error('unexpected');
    const script = `require(process.argv[1]).handler(${JSON.stringify(outcome.event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
    return execFileSync(process.execPath, ['-e', script, join(packageDir, 'index.js')], {
      env: { ...NO_AWS_ENV(dir), AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEPACKAGE01', AWS_SECRET_ACCESS_KEY: 'secret', SIGNPOST_BUCKET: 'files-bucket', SIGNPOST_LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };

  test('the bundled policy decides: public downloads yes, anonymous uploads no', () => {
    const env = { SIGNPOST_CONFIG: join(packageDir, 'signpost.json'), SIGNPOST_POLICY: join(packageDir, 'policy.json') };
    const read = JSON.parse(run(env, 'GET', '/files/public/logo.png')) as { statusCode: number; headers: Record<string, string> };
    expect(read.statusCode).toBe(307);
    expect(read.headers.location).toMatch(/\/uploads\/public\/logo\.png\?/);
    expect((JSON.parse(run(env, 'PUT', '/files/public/logo.png')) as { statusCode: number }).statusCode).toBe(401);
  });

  test('without a policy or open access, it refuses to start (fail closed)', () => {
    expect(() => run({ SIGNPOST_CONFIG: join(packageDir, 'signpost.json') })).toThrow(/no policy configured/);
  });

  test('it serves the web UI from the package, its CSP naming the bucket\'s origin', () => {
    const env = { SIGNPOST_CONFIG: join(packageDir, 'signpost.json'), SIGNPOST_ALLOW_ALL: 'true' };
    const page = JSON.parse(run(env, 'GET', '/')) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self' https://files-bucket.s3.eu-west-1.amazonaws.com;");
    const script = /src="(\/assets\/main-[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = JSON.parse(run(env, 'GET', script ?? '')) as { statusCode: number; headers: Record<string, string> };
    expect([asset.statusCode, asset.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
  });

  test('a feature the stack turned off answers 501', () => {
    const result = JSON.parse(run({ SIGNPOST_CONFIG: join(packageDir, 'signpost.json'), SIGNPOST_ALLOW_ALL: 'true' }, 'POST', '/files/a.txt?share')) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(501);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'feature_disabled' });
  });

  test('with open access, it signs under the configured key prefix', () => {
    const result = JSON.parse(run({ SIGNPOST_CONFIG: join(packageDir, 'signpost.json'), SIGNPOST_ALLOW_ALL: 'true' })) as { statusCode: number; headers: Record<string, string> };
    expect(result.statusCode).toBe(307);
    expect(result.headers.location).toMatch(/^https:\/\/files-bucket\.s3\.eu-west-1\.amazonaws\.com\/uploads\/report\.pdf\?/);
  });
});
