/**
 * Policy and authentication on Lambda, configured as the CDK stack does it: a bundled JSON
 * policy (SIGNPOST_POLICY), the config file's `auth` without secrets, and the secrets named in
 * the environment, fetched once through a stand-in for the Parameters and Secrets extension on
 * loopback (same paths, same token header as the real one).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { createLambdaHandler } from '../../src/lambda/handler';
import { memoryLogger } from '../support/memory-log';
import { eventFor, headersOf } from './support/door-events';
import { signedKey, TEST_ENV } from './support/lambda-under-test';

const JWT_SECRET = randomBytes(32).toString('base64url');
const API_KEY = `sp_${randomBytes(32).toString('base64url')}`;
const POLICY = {
  version: 1,
  rules: [
    { id: 'own-home', paths: 'home/{sub}/**', actions: ['read', 'write'], principals: 'authenticated', effect: 'allow' },
    { id: 'bot-inbox', paths: 'inbox/**', actions: ['write'], principals: 'group:bots', effect: 'allow' },
  ],
};

let dir: string;
let extension: Server;
const calls: string[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-lambda-policy-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(POLICY));
  writeFileSync(join(dir, 'signpost.json'), JSON.stringify({ auth: { jwt: { issuer: 'https://issuer.example', audience: 'signpost', subjectNamespace: 'idp' } } }));
  extension = createServer((req, res) => {
    calls.push(req.url ?? '');
    if (req.headers['x-aws-parameters-secrets-token'] !== TEST_ENV.AWS_SESSION_TOKEN) return res.writeHead(403).end();
    if (req.url === '/secretsmanager/get?secretId=signpost%2Fjwt') return res.end(JSON.stringify({ Name: 'signpost/jwt', SecretString: JWT_SECRET }));
    if (req.url === '/systemsmanager/parameters/get?name=%2Fsignpost%2Fapi-keys&withDecryption=true') {
      const keys = [{ hash: createHash('sha256').update(API_KEY).digest('hex'), subject: 'ci-bot', groups: ['bots'] }];
      return res.end(JSON.stringify({ Parameter: { Name: '/signpost/api-keys', Type: 'SecureString', Value: JSON.stringify(keys) } }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
  env = {
    ...TEST_ENV,
    SIGNPOST_CONFIG: join(dir, 'signpost.json'),
    SIGNPOST_POLICY: join(dir, 'policy.json'),
    SIGNPOST_JWT_SECRET_ID: 'signpost/jwt',
    SIGNPOST_API_KEYS_PARAMETER: '/signpost/api-keys',
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
  };
});
afterAll(async () => {
  await new Promise((resolve) => extension.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const token = (sub: string) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('https://issuer.example').setAudience('signpost').setExpirationTime('5m').sign(new TextEncoder().encode(JWT_SECRET));

function request(method: string, path: string, authorization?: string) {
  const outcome = eventFor('http-api', { method, path, headers: { ...(authorization && { Authorization: authorization }), ...(method === 'PUT' && { 'Content-Length': '3' }) } });
  if (outcome.kind !== 'event') throw new Error('unexpected');
  return outcome.event;
}

test('the policy decides, callers authenticate with a JWT or an API key, secrets are fetched once', async () => {
  const handler = createLambdaHandler(env, { logger: memoryLogger('silent').logger });
  const alice = `Bearer ${await token('alice')}`;

  expect((await handler(request('GET', '/files/home/idp:alice/cv.pdf'))).statusCode).toBe(401);
  const own = await handler(request('GET', '/files/home/idp:alice/cv.pdf', alice));
  expect(own.statusCode).toBe(307);
  expect(signedKey(headersOf(own).location!)).toBe('home/idp:alice/cv.pdf');
  expect((await handler(request('GET', '/files/home/alice/cv.pdf', alice))).statusCode).toBe(403); // the token's namespace, not the API keys'
  expect((await handler(request('GET', '/files/home/bob/cv.pdf', alice))).statusCode).toBe(403);
  expect((await handler(request('PUT', '/files/inbox/report.csv', `Bearer ${API_KEY}`))).statusCode).toBe(307);
  expect((await handler(request('GET', '/files/inbox/report.csv', `Bearer ${API_KEY}`))).statusCode).toBe(403);
  expect((await handler(request('GET', '/files/home/alice/cv.pdf', 'Bearer sp_' + 'A'.repeat(43)))).statusCode).toBe(401);

  expect(calls.filter((c) => c.startsWith('/secretsmanager/'))).toHaveLength(1);
  expect(calls.filter((c) => c.startsWith('/systemsmanager/'))).toHaveLength(1);
});

test('a secret that cannot be read fails the request (naming it, not its value) and is retried on the next', async () => {
  const handler = createLambdaHandler({ ...env, SIGNPOST_JWT_SECRET_ID: 'signpost/missing' }, { logger: memoryLogger('silent').logger });
  const attempt = () => handler(request('GET', '/files/home/alice/cv.pdf'));
  await expect(attempt()).rejects.toThrow(/cannot fetch secret signpost\/missing: the extension answered 404/);
  const before = calls.length;
  await expect(attempt()).rejects.toThrow(/signpost\/missing/);
  expect(calls.length).toBeGreaterThan(before);
});

test('API keys from the parameter next to a JWT section that does not separate their subjects: init fails saying so', async () => {
  const mixed = join(dir, 'mixed.json');
  writeFileSync(mixed, JSON.stringify({ auth: { jwt: { issuer: 'https://issuer.example', audience: 'signpost' } } }));
  const handler = createLambdaHandler({ ...env, SIGNPOST_CONFIG: mixed }, { logger: memoryLogger('silent').logger });
  await expect(handler(request('GET', '/files/a'))).rejects.toThrow(/auth\.jwt\.subjectNamespace: required when API keys are configured too/);
});

test('a JWT secret without an auth.jwt section to use it is a configuration error', async () => {
  const bare = join(dir, 'bare.json');
  writeFileSync(bare, '{}');
  const handler = createLambdaHandler({ ...env, SIGNPOST_CONFIG: bare, SIGNPOST_API_KEYS_PARAMETER: '' }, { logger: memoryLogger('silent').logger });
  await expect(handler(request('GET', '/files/a'))).rejects.toThrow(/no auth\.jwt section/);
});
