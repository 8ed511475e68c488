import request from 'supertest';
import { createApp } from '../../src/app';
import { createRateLimiter } from '../../src/http/rate-limit';
import { memoryLogger } from '../support/memory-log';

describe('token bucket rate limiter', () => {
  it('allows a burst, then refuses with the seconds to wait, then refills', () => {
    const limiter = createRateLimiter({ perSecond: 2, burst: 3 });
    expect([0, 1, 2].map(() => limiter.take('alice', 0))).toEqual([0, 0, 0]);
    expect(limiter.take('alice', 0)).toBe(1);
    expect(limiter.take('alice', 499)).toBe(1); // 0.998 tokens: still short
    expect(limiter.take('alice', 500)).toBe(0); // one token refilled
    expect(limiter.take('alice', 10_000)).toBe(0);
  });

  it('keeps callers apart', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBe(1);
    expect(limiter.take('b', 0)).toBe(0);
  });

  it('never refills above the burst', () => {
    const limiter = createRateLimiter({ perSecond: 100, burst: 2 });
    limiter.take('a', 0);
    expect([limiter.take('a', 60_000), limiter.take('a', 60_000), limiter.take('a', 60_000)]).toEqual([0, 0, 1]);
  });

  it('a refund gives back one token, never above the burst', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 2 });
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0, 1]);
    limiter.refund('a');
    expect([limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 1]);
    limiter.refund('a');
    limiter.refund('a');
    limiter.refund('a');
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0, 1]);
    limiter.refund('never-seen'); // no bucket: nothing to give back, nothing created
    expect(limiter.size).toBe(1);
  });

  it('stays bounded, dropping the least recently used bucket', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('a', 0); // a is now the most recent
    limiter.take('c', 0); // evicts b
    expect(limiter.size).toBe(2);
    expect(limiter.take('b', 0)).toBe(0); // b starts with a full bucket again
  });
});

describe('rate limits through the app', () => {
  const backend = {
    kind: 'fake',
    storageEnforces: new Set<never>(),
    presign: (i: { key: string; now: Date }) => Promise.resolve({ method: 'GET' as const, url: `http://store.test/${i.key}`, headers: {}, expiresAt: i.now }),
  };
  const now = new Date('2026-01-01T00:00:00Z');

  it('429 with Retry-After once a caller exceeds its burst; others are unaffected', async () => {
    const app = createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }], logger: memoryLogger().logger, urlTtl: 60, now: () => now, rateLimit: { perSecond: 1, burst: 2 } });
    expect((await request(app).get('/files/a')).status).toBe(307);
    expect((await request(app).get('/files/a')).status).toBe(307);
    const limited = await request(app).get('/files/a');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body).toMatchObject({ error: 'too_many_requests' });
  });
});
