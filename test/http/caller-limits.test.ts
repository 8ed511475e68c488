/**
 * Rate limits per caller through the app (supertest): failed authentication and share-link opens
 * spend the client address's budget, so guessing keys, tokens or links is throttled (429 with
 * Retry-After), while authenticated callers keep their own per-principal budget. Budgets keyed on
 * client addresses are checked with requests from different addresses (a real socket's address
 * through the real server is in test/e2e/rate-limit-server.test.ts; Lambda doors in
 * test/lambda/rate-limit-by-door.test.ts).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import { createApp, type AppDeps } from '../../src/app';
import { createApiKey, createAuthenticator } from '../../src/auth';
import { fromAuthenticator, type Authenticate } from '../../src/http/authenticate';
import { limitCallers } from '../../src/http/caller-limits';
import { serviceUnavailable, unauthorized } from '../../src/http/errors';
import { createRateLimiter } from '../../src/http/rate-limit';
import { ANONYMOUS } from '../../src/policy/types';
import { memoryLogger } from '../support/memory-log';

const NOW = new Date('2026-01-01T00:00:00Z');
const SHARE_KEY = 's'.repeat(40);
const backend = {
  kind: 'fake',
  storageEnforces: new Set<never>(),
  presign: (i: { key: string; now: Date }) => Promise.resolve({ method: 'GET' as const, url: `http://store.test/${i.key}`, headers: {}, expiresAt: i.now }),
};
const alice = createApiKey({ subject: 'alice' });
const withKeys = fromAuthenticator(createAuthenticator({ apiKeys: [alice.entry] }));
const randomKey = (): string => `sp_${randomBytes(32).toString('base64url')}`;

function app(overrides: Partial<AppDeps> = {}, clock: { now: Date } = { now: NOW }, limited = true) {
  return createApp({
    mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }],
    logger: memoryLogger().logger,
    urlTtl: 60,
    now: () => clock.now,
    shareKey: SHARE_KEY,
    authenticate: withKeys,
    ...(limited && { rateLimit: { perSecond: 5, burst: 5 } }),
    ...overrides,
  });
}

async function statuses(n: number, send: () => request.Test): Promise<{ codes: number[]; last: request.Response }> {
  const codes: number[] = [];
  let last: request.Response | undefined;
  for (let i = 0; i < n; i++) {
    last = await send();
    codes.push(last.status);
  }
  return { codes, last: last! };
}

describe('failed authentication costs the client address', () => {
  it('30 random API keys at 5/s: 5 x 401, then 429 with Retry-After', async () => {
    const a = app();
    const { codes, last } = await statuses(30, () => request(a).get('/files/x').set('Authorization', `Bearer ${randomKey()}`));
    expect(codes).toEqual([...Array<number>(5).fill(401), ...Array<number>(25).fill(429)]);
    expect(last.headers['retry-after']).toBe('1');
    expect(last.body).toMatchObject({ error: 'too_many_requests' });
  });

  it('once spent, even the right key is refused unchecked (a guesser learns nothing), until the budget refills', async () => {
    const clock = { now: NOW };
    const a = app({}, clock);
    await statuses(5, () => request(a).get('/files/x').set('Authorization', `Bearer ${randomKey()}`));
    expect((await request(a).get('/files/x').set('Authorization', `Bearer ${alice.key}`)).status).toBe(429);
    clock.now = new Date(NOW.getTime() + 1000); // 5 tokens back
    expect((await request(a).get('/files/x').set('Authorization', `Bearer ${alice.key}`)).status).toBe(307);
  });

  it('malformed credentials count as failures too', async () => {
    const a = app();
    const { codes } = await statuses(7, () => request(a).get('/files/x').set('Authorization', 'Bearer not-a-key'));
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('valid credentials cost their principal, not the address: 30 good requests from one address, 5 per principal', async () => {
    const a = app();
    const { codes } = await statuses(7, () => request(a).get('/files/x').set('Authorization', `Bearer ${alice.key}`));
    expect(codes).toEqual([307, 307, 307, 307, 307, 429, 429]);
    // alice is limited; the address's anonymous and failure budgets are untouched
    expect((await request(a).get('/files/x')).status).toBe(307);
    expect((await request(a).get('/files/x').set('Authorization', `Bearer ${randomKey()}`)).status).toBe(401);
  });

  it('parallel guesses cannot slip in while one is being verified: only the burst reaches the verifier', async () => {
    let verified = 0;
    const slow: Authenticate = async () => {
      verified++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw unauthorized('bad token', 'Bearer');
    };
    const a = app({ authenticate: slow });
    const codes = (await Promise.all(Array.from({ length: 20 }, () => request(a).get('/files/x').set('Authorization', 'Bearer x.y.z')))).map((r) => r.status);
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
    expect(verified).toBe(5);
  });

  it('a verifier that is unavailable (503) costs the caller nothing', async () => {
    const down: Authenticate = () => Promise.reject(serviceUnavailable('keys unavailable', 5));
    const a = app({ authenticate: down });
    const { codes } = await statuses(8, () => request(a).get('/files/x').set('Authorization', 'Bearer x.y.z'));
    expect(codes).toEqual(Array<number>(8).fill(503));
  });
});

describe('share-link opens cost the client address', () => {
  const linkFor = async (key: string): Promise<string> => {
    const res = await request(app({}, { now: NOW }, false)).post(`/files/${key}?share`);
    expect(res.status).toBe(200);
    return (res.body as { path: string }).path;
  };

  it('30 opens of one link at 5/s: 5 x 307, then 429 with Retry-After', async () => {
    const path = await linkFor('shared.txt');
    const a = app();
    const { codes, last } = await statuses(30, () => request(a).get(path));
    expect(codes).toEqual([...Array<number>(5).fill(307), ...Array<number>(25).fill(429)]);
    expect(last.headers['retry-after']).toBe('1');
  });

  it('guessed tokens are charged before they are checked', async () => {
    const a = app();
    const { codes } = await statuses(7, () => request(a).get(`/files/shared.txt?share=${randomBytes(24).toString('base64url')}`));
    expect(codes).toEqual([403, 403, 403, 403, 403, 429, 429]);
    expect((await request(a).get(await linkFor('shared.txt'))).status).toBe(429);
  });
});

describe('limitCallers keys anonymous budgets on the client address', () => {
  const fakeReq = (remoteAddress: string | undefined, authorization?: string): IncomingMessage =>
    ({ socket: { remoteAddress }, headers: authorization === undefined ? {} : { authorization } }) as unknown as IncomingMessage;
  const anonymous: Authenticate = () => Promise.resolve(ANONYMOUS);
  const rejecting: Authenticate = () => Promise.reject(unauthorized('no', 'Bearer'));

  it.each([
    ['two IPv4 clients', '198.51.100.1', '198.51.100.2', false],
    ['IPv4 and its IPv4-mapped IPv6 form', '198.51.100.1', '::ffff:198.51.100.1', true],
    ['two addresses in one IPv6 /56', '2001:db8:0:100::1', '2001:db8:0:1ff:ffff::9', true],
    ['two IPv6 /56 networks', '2001:db8:0:100::1', '2001:db8:0:200::1', false],
    ['no address and garbage', undefined, 'not-an-ip', true],
  ])('%s (%p, %p): one shared budget = %p', async (_what, a, b, shared) => {
    const limits = limitCallers(createRateLimiter({ perSecond: 1, burst: 1 }), anonymous);
    await limits.authenticate(fakeReq(a), NOW);
    const second = limits.authenticate(fakeReq(b), NOW);
    if (shared) await expect(second).rejects.toMatchObject({ statusCode: 429 });
    else await expect(second).resolves.toBe(ANONYMOUS);
  });

  it('failures and anonymous requests from one address have separate budgets', async () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 });
    const failing = limitCallers(limiter, rejecting);
    await expect(failing.authenticate(fakeReq('198.51.100.7', 'Bearer x'), NOW)).rejects.toMatchObject({ statusCode: 401 });
    await expect(failing.authenticate(fakeReq('198.51.100.7', 'Bearer x'), NOW)).rejects.toMatchObject({ statusCode: 429 });
    await expect(limitCallers(limiter, anonymous).authenticate(fakeReq('198.51.100.7'), NOW)).resolves.toBe(ANONYMOUS);
  });
});
