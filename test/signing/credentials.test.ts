/** The refreshing credential source: cache, refresh ahead of expiry, never hand out dead credentials. */
import { CredentialsUnavailable, refreshingCredentials, type SigningCredentials } from '../../src/signing/credentials';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const creds = (id: string, expiresInMs?: number): SigningCredentials => ({
  accessKeyId: id,
  secretAccessKey: 's',
  ...(expiresInMs !== undefined && { expiration: at(expiresInMs) }),
});

function provider(sequence: (SigningCredentials | Error)[]) {
  let calls = 0;
  const fn = () => {
    const next = sequence[Math.min(calls++, sequence.length - 1)]!;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fn, calls: () => calls };
}

describe('refreshingCredentials', () => {
  it('fetches once and serves from cache while far from expiry', async () => {
    const p = provider([creds('A', 60 * 60_000)]);
    const source = refreshingCredentials(p.fn);
    expect((await source.get(T0)).accessKeyId).toBe('A');
    expect((await source.get(at(30 * 60_000))).accessKeyId).toBe('A');
    expect(p.calls()).toBe(1);
  });

  it('long-lived keys (no expiration) are fetched once', async () => {
    const p = provider([creds('K')]);
    const source = refreshingCredentials(p.fn);
    await source.get(T0);
    await source.get(at(365 * 24 * 3600_000));
    expect(p.calls()).toBe(1);
  });

  it('inside the refresh window: answers with the current ones and refreshes in the background', async () => {
    const p = provider([creds('A', 10 * 60_000), creds('B', 70 * 60_000)]);
    const source = refreshingCredentials(p.fn);
    await source.get(T0);
    expect((await source.get(at(6 * 60_000))).accessKeyId).toBe('A'); // 4 min left: still valid
    await new Promise((r) => setImmediate(r));
    expect(p.calls()).toBe(2);
    expect((await source.get(at(7 * 60_000))).accessKeyId).toBe('B');
  });

  it('concurrent callers share one fetch', async () => {
    const p = provider([creds('A', 60 * 60_000)]);
    const source = refreshingCredentials(p.fn);
    await Promise.all([source.get(T0), source.get(T0), source.get(T0)]);
    expect(p.calls()).toBe(1);
  });

  it('expired and the provider fails: CredentialsUnavailable (the route answers 503)', async () => {
    const p = provider([creds('A', 60_000), new Error('metadata service down')]);
    const source = refreshingCredentials(p.fn);
    await source.get(T0);
    await expect(source.get(at(59_000))).rejects.toThrow(CredentialsUnavailable);
    await expect(source.get(at(59_000))).rejects.toThrow('metadata service down');
  });

  it('never hands out credentials that are about to die, even freshly fetched ones', async () => {
    const p = provider([creds('A', 20_000)]);
    const source = refreshingCredentials(p.fn);
    await expect(source.get(T0)).rejects.toThrow('expired or about to expire');
  });

  it('a failed background refresh keeps serving the still-valid credentials and retries later', async () => {
    const p = provider([creds('A', 10 * 60_000), new Error('blip'), creds('C', 60 * 60_000)]);
    const source = refreshingCredentials(p.fn);
    await source.get(T0);
    expect((await source.get(at(6 * 60_000))).accessKeyId).toBe('A');
    await new Promise((r) => setImmediate(r));
    expect((await source.get(at(6 * 60_000 + 1))).accessKeyId).toBe('A');
    await new Promise((r) => setImmediate(r));
    expect((await source.get(at(6 * 60_000 + 2))).accessKeyId).toBe('C');
  });

  it('exactly 5 min left: still served, and a background refresh starts', async () => {
    const p = provider([creds('A', 10 * 60_000), creds('B', 70 * 60_000)]);
    const source = refreshingCredentials(p.fn);
    await source.get(T0);
    expect((await source.get(at(5 * 60_000))).accessKeyId).toBe('A');
    await new Promise((r) => setImmediate(r));
    expect(p.calls()).toBe(2);
  });

  it('exactly 30 s left: no longer handed out; the caller waits for fresh ones', async () => {
    const p = provider([creds('A', 10 * 60_000), creds('B', 70 * 60_000)]);
    const source = refreshingCredentials(p.fn);
    await source.get(T0);
    expect((await source.get(at(10 * 60_000 - 30_000))).accessKeyId).toBe('B');
  });

  it('freshly fetched credentials with exactly 30 s left are refused, with 31 s they are served', async () => {
    await expect(refreshingCredentials(provider([creds('A', 30_000)]).fn).get(T0)).rejects.toThrow(new CredentialsUnavailable('storage credentials are expired or about to expire'));
    expect((await refreshingCredentials(provider([creds('A', 31_000)]).fn).get(T0)).accessKeyId).toBe('A');
  });

  it('says which provider error made credentials unavailable', async () => {
    const source = refreshingCredentials(provider([new Error('metadata service down')]).fn);
    await expect(source.get(T0)).rejects.toThrow(new CredentialsUnavailable('cannot obtain storage credentials: metadata service down'));
    await expect(source.get(T0)).rejects.toMatchObject({ name: 'CredentialsUnavailable' });
  });
});

