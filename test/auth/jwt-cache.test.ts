// The verified-token cache: hits skip jose, entries never outlive exp, the LRU stays bounded.
import type * as Jose from 'jose';

// A spy around the real jwtVerify, to count how often verification actually runs.
jest.mock('jose', () => {
  const real = jest.requireActual<typeof Jose>('jose');
  return { ...real, jwtVerify: jest.fn(real.jwtVerify) };
});

import { jwtVerify } from 'jose';
import { createAuthenticator } from '../../src/auth';
import { TtlLru } from '../../src/auth/ttl-lru';
import { mint, NOW, NOW_S, SECRET } from './jwt-fixtures';

const verifyCalls = jwtVerify as unknown as jest.Mock;
const at = (s: number) => new Date((NOW_S + s) * 1000);

describe('verified-token cache', () => {
  beforeEach(() => verifyCalls.mockClear());

  it('verifies a token once, then serves it from the cache', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET } });
    const token = `Bearer ${await mint()}`;
    const first = await a(token, NOW);
    const second = await a(token, at(1));
    expect(second).toEqual(first);
    expect(verifyCalls).toHaveBeenCalledTimes(1);
  });

  it('re-verifies after the cache ttl', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET, cache: { ttlSeconds: 10 } } });
    const token = `Bearer ${await mint()}`;
    await a(token, NOW);
    await a(token, at(11));
    expect(verifyCalls).toHaveBeenCalledTimes(2);
  });

  it('never serves a token past its exp, even within the cache ttl', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET, clockToleranceSeconds: 0 } });
    const token = `Bearer ${await mint({ claims: { exp: NOW_S + 5 } })}`;
    expect((await a(token, NOW)).ok).toBe(true);
    expect(await a(token, at(6))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('does not serve a token before its nbf when the clock goes back', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET, clockToleranceSeconds: 0 } });
    const token = `Bearer ${await mint({ claims: { nbf: NOW_S } })}`;
    expect((await a(token, NOW)).ok).toBe(true);
    expect(await a(token, at(-10))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('serves a cached token as early as the clock tolerance allows, and no earlier', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET, clockToleranceSeconds: 30 } });
    const token = `Bearer ${await mint({ claims: { nbf: NOW_S + 10 } })}`;
    expect((await a(token, NOW)).ok).toBe(true);
    expect((await a(token, at(-15))).ok).toBe(true); // nbf - 30 s is at(-20)
    expect(verifyCalls).toHaveBeenCalledTimes(1);
    expect(await a(token, at(-25))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('does not cache failures', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET, audience: 'signpost' } });
    const token = `Bearer ${await mint({ claims: { aud: 'x' } })}`;
    await a(token, NOW);
    await a(token, NOW);
    expect(verifyCalls).toHaveBeenCalledTimes(2);
  });

  it('can be disabled', async () => {
    const a = createAuthenticator({ jwt: { hs256Secret: SECRET, cache: { maxEntries: 0 } } });
    const token = `Bearer ${await mint()}`;
    await a(token, NOW);
    await a(token, NOW);
    expect(verifyCalls).toHaveBeenCalledTimes(2);
  });
});

describe('TtlLru', () => {
  it('evicts the least recently used entry when full', () => {
    const lru = new TtlLru<number>(2);
    lru.set('a', 1, 0, 100);
    lru.set('b', 2, 0, 100);
    expect(lru.get('a', 1)).toBe(1); // a is now the most recent
    lru.set('c', 3, 0, 100);
    expect([lru.get('a', 1), lru.get('b', 1), lru.get('c', 1)]).toEqual([1, undefined, 3]);
    expect(lru.size).toBe(2);
  });

  it('expires entries and respects notBefore', () => {
    const lru = new TtlLru<number>(10);
    lru.set('a', 1, 50, 100);
    expect(lru.get('a', 49)).toBeUndefined();
    expect(lru.get('a', 50)).toBe(1);
    expect(lru.get('a', 99)).toBe(1);
    expect(lru.get('a', 100)).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it('updating an entry does not evict another one', () => {
    const lru = new TtlLru<number>(2);
    lru.set('a', 1, 0, 100);
    lru.set('b', 2, 0, 100);
    lru.set('b', 3, 0, 100);
    expect([lru.get('a', 1), lru.get('b', 1)]).toEqual([1, 3]);
  });

  it('holds nothing with room for nothing', () => {
    const lru = new TtlLru<number>(0);
    lru.set('a', 1, 0, 100);
    expect(lru.get('a', 1)).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
