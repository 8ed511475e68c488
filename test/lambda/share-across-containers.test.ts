/**
 * Share links on Lambda survive cold starts and work on every container: the deployable bundle
 * is loaded in two separate Node processes (two containers), each fetching the share key named
 * by SIGNPOST_SHARE_KEY_ID at init through a stand-in for the Parameters and Secrets extension
 * (same paths and token header as the real one, as in policy-and-secrets.test.ts). A link made
 * on one opens on the other, through another front door too. Before, each container signed with
 * its own random key and the second refused the link with 403.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { lambdaBuildOptions } from '../../infra/lambda-bundle';
import { eventFor, headersOf, type ClientRequest, type Door } from './support/door-events';
import { signedKey, TEST_ENV } from './support/lambda-under-test';

const SECRETS: Readonly<Record<string, string>> = {
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:GatewayShareKey-AbCdEf': randomBytes(48).toString('base64url'),
  'another-stack/share-key': randomBytes(48).toString('base64url'),
};
const SHARE_KEY_ID = Object.keys(SECRETS)[0]!;

let dir: string;
let bundle: string;
let extension: Server;
const fetched: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-share-containers-'));
  bundle = join(dir, 'lambda.js');
  await build(lambdaBuildOptions(bundle));
  extension = createServer((req, res) => {
    if (req.headers['x-aws-parameters-secrets-token'] !== TEST_ENV.AWS_SESSION_TOKEN) return res.writeHead(403).end();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = url.searchParams.get('secretId') ?? '';
    if (url.pathname !== '/secretsmanager/get' || SECRETS[id] === undefined) return res.writeHead(404).end();
    fetched.push(id);
    res.end(JSON.stringify({ Name: id, SecretString: SECRETS[id] }));
  });
  await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => extension.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Result {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** A cold container: a fresh Node process loads the bundle and answers one event. */
function container(shareKeyId: string | undefined, door: Door, req: ClientRequest): Promise<Result> {
  const outcome = eventFor(door, req);
  if (outcome.kind !== 'event') throw new Error('unexpected');
  const env = {
    PATH: process.env.PATH ?? '',
    ...TEST_ENV,
    SIGNPOST_ALLOW_ALL: 'true',
    SIGNPOST_LOG_LEVEL: 'silent',
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
    ...(shareKeyId !== undefined && { SIGNPOST_SHARE_KEY_ID: shareKeyId }),
  };
  const script = `require(process.argv[1]).handler(${JSON.stringify(outcome.event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
  // Asynchronous on purpose: the extension stand-in answers from this process's event loop.
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, bundle], { env, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      const raw = JSON.parse(stdout) as Record<string, unknown>;
      resolve({ statusCode: raw.statusCode as number, body: typeof raw.body === 'string' ? raw.body : '', headers: headersOf(raw) });
    });
  });
}

const share = (shareKeyId: string | undefined, door: Door = 'http-api') => container(shareKeyId, door, { method: 'POST', path: '/files/reports/q3.pdf', query: 'share' });
const open = (shareKeyId: string | undefined, path: string, door: Door = 'http-api') => {
  const [pathOnly = path, query] = path.split('?');
  return container(shareKeyId, door, { method: 'GET', path: pathOnly, ...(query !== undefined && { query }) });
};

test('a link made on one container opens on another, through another door too; each fetched the key once', async () => {
  fetched.length = 0;
  const made = await share(SHARE_KEY_ID);
  expect(made.statusCode).toBe(200);
  const { path } = JSON.parse(made.body) as { path: string };
  for (const door of ['http-api', 'rest-api', 'function-url', 'alb'] as const) {
    const opened = await open(SHARE_KEY_ID, path, door);
    expect([door, opened.statusCode]).toEqual([door, 307]);
    expect(signedKey(opened.headers.location!)).toBe('reports/q3.pdf');
  }
  expect(fetched).toEqual(Array(5).fill(SHARE_KEY_ID));
}, 60_000);

test('a container with another share key refuses the link; without one, share links are off (501), not random', async () => {
  const { path } = JSON.parse((await share(SHARE_KEY_ID)).body) as { path: string };
  const other = await open('another-stack/share-key', path);
  expect([other.statusCode, (JSON.parse(other.body) as { error: string }).error]).toEqual([403, 'forbidden']);
  const keyless = await share(undefined);
  expect([keyless.statusCode, (JSON.parse(keyless.body) as { error: string }).error]).toEqual([501, 'feature_disabled']);
  expect((await open(undefined, path)).statusCode).toBe(501);
}, 60_000);

test('a share key that cannot be fetched fails the request, naming the secret and not a value', async () => {
  await expect(share('no/such/secret')).rejects.toThrow(/cannot fetch secret no\/such\/secret: the extension answered 404/);
}, 60_000);
