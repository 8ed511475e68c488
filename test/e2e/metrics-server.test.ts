/**
 * Where the running server serves /metrics (issue 15.11), driven by real curl: by default only
 * on a listener of its own on 127.0.0.1 (never the gateway's port); with SIGNPOST_METRICS_TOKEN
 * on the gateway's port to the bearer of that token only. Config mistakes stop startup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';
import { startServer } from '../../src/server';
import { curl } from '../support/curl';
import { startGateway, type TestGateway } from '../support/gateway';
import { memoryLogger } from '../support/memory-log';
import { describeWith } from '../support/require-tool';

const TOKEN = 'a-metrics-token-of-32-characters-or-more';

/** Status line and body of one curl request. */
async function get(url: string, headers: string[] = []): Promise<{ status: number; body: string }> {
  const res = await curl(['-w', '\n%{http_code}', ...headers.flatMap((h) => ['-H', h]), url]);
  if (res.code !== 0) throw new Error(`curl failed (${res.code}): ${res.stderr}`);
  const cut = res.stdout.lastIndexOf('\n');
  return { status: Number(res.stdout.slice(cut + 1)), body: res.stdout.slice(0, cut) };
}

describeWith('curl', 'apt-get install curl')('metrics on the running server', () => {
  describe('default: a loopback listener of their own', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway({ env: { SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_PORT: '0' } });
    });
    afterAll(() => gw?.stop());

    it('the gateway\'s port does not serve them; 127.0.0.1:<metrics port>/metrics does, counting the gateway\'s requests', async () => {
      const url = gw.running.metricsUrl!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(url).port).not.toBe(new URL(gw.url).port);
      expect((await get(`${gw.url}/metrics`)).status).toBe(404);
      expect((await get(`${gw.url}/metrics`, [`Authorization: Bearer ${TOKEN}`])).status).toBe(404);
      await get(`${gw.url}/files/counted.txt`);
      const metrics = await get(url);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('signpost_requests_total{action="read",status="307"} 1');
      expect(metrics.body).not.toContain('counted.txt');
      expect((await get(url.replace('/metrics', '/files/counted.txt'))).status).toBe(404); // nothing else there
    });

    it('stops with the server', async () => {
      const url = gw.running.metricsUrl!;
      await gw.stop();
      expect((await curl([url])).code).toBe(7); // connection refused
    });
  });

  describe('with SIGNPOST_METRICS_TOKEN: the gateway\'s port, bearer only', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway({ env: { SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_TOKEN: TOKEN } });
    });
    afterAll(() => gw?.stop());

    it('401 without the token or with another; 200 with it; no second listener', async () => {
      expect(gw.running.metricsUrl).toBeUndefined();
      await get(`${gw.url}/files/counted.txt`);
      const anonymous = await get(`${gw.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).not.toContain('signpost_');
      expect((await get(`${gw.url}/metrics`, [`Authorization: Bearer ${TOKEN}x`])).status).toBe(401);
      const scraped = await get(`${gw.url}/metrics`, [`Authorization: Bearer ${TOKEN}`]);
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('signpost_requests_total{action="read",status="307"} 1');
    });

    it('never logs the token', () => {
      expect(gw.logLines.join('\n')).not.toContain(TOKEN);
    });
  });

  it('a metrics port that is taken stops startup, naming it, and frees the gateway\'s port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'signpost-metrics-'));
    try {
      const config = loadConfig({ PORT: '0', SIGNPOST_DATA_DIR: dataDir, SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_PORT: String(port) });
      await expect(startServer(config, { logger: memoryLogger('silent').logger })).rejects.toThrow(new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('metrics settings', () => {
  it.each([
    ['a token without metrics on', { SIGNPOST_METRICS_TOKEN: TOKEN }, /SIGNPOST_METRICS_TOKEN \(metricsToken\): only applies with metrics on/],
    ['a port without metrics on', { SIGNPOST_METRICS_PORT: '9999' }, /SIGNPOST_METRICS_PORT \(metricsPort\): only applies with metrics on/],
    ['both a token and a port', { SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_TOKEN: TOKEN, SIGNPOST_METRICS_PORT: '9999' }, /metricsPort\): choose one/],
    ['a short token', { SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_TOKEN: 'short-token' }, /SIGNPOST_METRICS_TOKEN \(metricsToken\): must be at least 32 characters/],
  ])('refuses %s', (_what, env, message) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('short-token');
  });
});
