/**
 * Rate limits keyed on the client through every front door, events sent through the real
 * handler in-process: each door's client address (REST and HTTP API 1.0: identity.sourceIp;
 * HTTP API 2.0 and Function URLs: http.sourceIp; ALB: the X-Forwarded-For entry the ALB
 * appended) gives each client its own budget, an X-Forwarded-For the client sends itself buys
 * nothing, and failed authentication and share-link opens are charged to it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth';
import { DOORS, eventFor, headersOf, type ClientRequest, type Door } from './support/door-events';
import { lambdaUnderTest, type LambdaUnderTest } from './support/lambda-under-test';

const alice = createApiKey({ subject: 'alice' });
const CLIENT_A = '198.51.100.20';
const CLIENT_B = '203.0.113.99';
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-lambda-limits-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'all', paths: '**', actions: '*', principals: '*', effect: 'allow' }] }));
  writeFileSync(join(dir, 'signpost.json'), JSON.stringify({ auth: { apiKeys: [alice.entry] } }));
  env = {
    SIGNPOST_CONFIG: join(dir, 'signpost.json'),
    SIGNPOST_POLICY: join(dir, 'policy.json'),
    SIGNPOST_RATE_LIMIT: '1:3',
    SIGNPOST_SHARE_KEY: 'k'.repeat(40),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function send(lambda: LambdaUnderTest, door: Door, req: ClientRequest) {
  const outcome = eventFor(door, req);
  if (outcome.kind !== 'event') throw new Error(`${door} refused ${req.path}`);
  const result = await lambda.handler(outcome.event);
  return { status: result.statusCode as number, headers: headersOf(result), body: typeof result.body === 'string' ? result.body : '' };
}

async function codes(lambda: LambdaUnderTest, door: Door, n: number, req: () => ClientRequest): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send(lambda, door, req())).status);
  return out;
}

describe.each(DOORS)('front door %s', (door) => {
  test('anonymous callers: a budget per client address; their own X-Forwarded-For changes nothing', async () => {
    const lambda = lambdaUnderTest(env);
    const spoofing = (): ClientRequest => ({ method: 'GET', path: '/files/a.txt', sourceIp: CLIENT_A, headers: { 'X-Forwarded-For': `10.0.${Math.floor(Math.random() * 250)}.1` } });
    expect(await codes(lambda, door, 4, spoofing)).toEqual([307, 307, 307, 429]);
    const limited = await send(lambda, door, spoofing());
    expect(limited.headers['retry-after']).toBe('1');
    expect(JSON.parse(limited.body)).toMatchObject({ error: 'too_many_requests' });
    expect((await send(lambda, door, { method: 'GET', path: '/files/a.txt', sourceIp: CLIENT_B })).status).toBe(307);
  });

  test('failed authentication is charged to the client address: 401 x 3, then 429 unchecked', async () => {
    const lambda = lambdaUnderTest(env);
    const guess = (): ClientRequest => ({ method: 'GET', path: '/files/a.txt', sourceIp: CLIENT_A, headers: { Authorization: `Bearer sp_${randomBytes(32).toString('base64url')}` } });
    expect(await codes(lambda, door, 5, guess)).toEqual([401, 401, 401, 429, 429]);
    expect((await send(lambda, door, { ...guess(), headers: { Authorization: `Bearer ${alice.key}` } })).status).toBe(429);
    expect((await send(lambda, door, { ...guess(), sourceIp: CLIENT_B })).status).toBe(401);
    expect((await send(lambda, door, { method: 'GET', path: '/files/a.txt', sourceIp: CLIENT_B, headers: { Authorization: `Bearer ${alice.key}` } })).status).toBe(307);
  });

  test('share-link opens are charged to the client address', async () => {
    const lambda = lambdaUnderTest(env);
    // ttl in the query: a POST without a body is issue 17's 415 on Lambda, not this test's business
    const made = await send(lambda, door, { method: 'POST', path: '/files/shared.txt', query: 'share&ttl=3600', sourceIp: CLIENT_B, headers: { Authorization: `Bearer ${alice.key}` } });
    expect(made.status).toBe(200);
    const token = new URL((JSON.parse(made.body) as { path: string }).path, 'http://x').searchParams.get('share')!;
    const open = (): ClientRequest => ({ method: 'GET', path: '/files/shared.txt', query: `share=${token}`, sourceIp: CLIENT_A });
    expect(await codes(lambda, door, 4, open)).toEqual([307, 307, 307, 429]);
    expect((await send(lambda, door, { ...open(), sourceIp: CLIENT_B })).status).toBe(307);
  });
});

test('an ALB event without X-Forwarded-For: one shared budget, and a warning saying so', async () => {
  const lambda = lambdaUnderTest(env);
  const bare = (): ClientRequest => ({ method: 'GET', path: '/files/a.txt' });
  const event = () => {
    const outcome = eventFor('alb', bare());
    if (outcome.kind !== 'event') throw new Error('unexpected');
    const headers = { ...(outcome.event.headers as Record<string, string>) };
    delete headers['x-forwarded-for'];
    return { ...outcome.event, headers };
  };
  const statuses: unknown[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await lambda.handler(event())).statusCode);
  expect(statuses).toEqual([307, 307, 307, 429]);
  expect(lambda.logLines.filter((l) => l.includes('gave no client address'))).toHaveLength(1);
});
