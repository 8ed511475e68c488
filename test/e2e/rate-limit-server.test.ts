/**
 * Rate limits on the real server, driven by real curl: the budget is keyed on the socket's peer
 * address, failed authentication and share-link opens spend it, and the answer past it is 429
 * with Retry-After. The rate (one token per 100 s) keeps the real clock from refilling a budget
 * while the test runs. Clients come from different loopback addresses (curl --interface
 * 127.0.0.N; Linux routes all of 127/8 to lo) to show the budgets are per address.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { curl } from '../support/curl';
import { startGateway, type TestGateway } from '../support/gateway';
import { describeWith } from '../support/require-tool';

const owner = createApiKey({ subject: 'owner' });

describeWith('curl', 'apt-get install curl')('rate limits on the running server', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-limits-'));
    const config = {
      policy: { version: 1, rules: [{ id: 'owner', paths: '**', actions: '*', principals: 'user:owner', effect: 'allow' }] },
      auth: { apiKeys: [owner.entry] },
      rateLimit: { perSecond: 0.01, burst: 5 },
      shareKey: 'k'.repeat(40),
    };
    writeFileSync(join(dir, 'signpost.yaml'), stringify(config));
    gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml') } });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Status and Retry-After (seconds) of one request from 127.0.0.`from`. */
  const hit = async (from: number, args: string[]): Promise<[number, number | undefined]> => {
    const res = await curl(['--interface', `127.0.0.${from}`, '-o', '/dev/null', '-D', '-', ...args]);
    if (res.code !== 0) throw new Error(`curl failed (${res.code}): ${res.stderr}`);
    const retryAfter = /^retry-after: (\d+)/im.exec(res.stdout)?.[1];
    return [Number(/^HTTP\/1\.1 (\d{3})/.exec(res.stdout)?.[1]), retryAfter === undefined ? undefined : Number(retryAfter)];
  };
  const limited: [number, unknown] = [429, expect.any(Number)];

  it('30 random API keys: 5 x 401, then 429 with Retry-After; even the right key from that address is refused', async () => {
    const guess = () => ['-u', `:sp_${randomBytes(32).toString('base64url')}`, `${gw.url}/files/secret.txt`];
    const seen: [number, number | undefined][] = [];
    for (let i = 0; i < 30; i++) seen.push(await hit(1, guess()));
    expect(seen.slice(0, 5)).toEqual(Array(5).fill([401, undefined]));
    expect(seen.slice(5)).toEqual(Array(25).fill(limited));
    expect(seen.slice(5).every(([, s]) => s !== undefined && s >= 90 && s <= 100)).toBe(true); // one token per 100 s
    expect((await hit(1, ['-u', `:${owner.key}`, `${gw.url}/files/secret.txt`]))[0]).toBe(429);
    // Another address has its own budget; the owner's key works from there.
    expect((await hit(2, guess()))[0]).toBe(401);
    expect((await hit(2, ['-u', `:${owner.key}`, `${gw.url}/files/secret.txt`]))[0]).toBe(307);
  });

  it('30 opens of one share link: 5 x 307, then 429 with Retry-After; another address opens it', async () => {
    const made = await curl(['--interface', '127.0.0.3', '-u', `:${owner.key}`, '-X', 'POST', `${gw.url}/files/shared.txt?share&ttl=600`]);
    const link = `${gw.url}${(JSON.parse(made.stdout) as { path: string }).path}`;
    const seen: [number, number | undefined][] = [];
    for (let i = 0; i < 30; i++) seen.push(await hit(4, [link]));
    expect(seen.slice(0, 5)).toEqual(Array(5).fill([307, undefined]));
    expect(seen.slice(5)).toEqual(Array(25).fill(limited));
    expect((await hit(5, [link]))[0]).toBe(307);
  });
});
