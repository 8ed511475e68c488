import request from 'supertest';
import { createApp } from '../../src/app';
import { createMetrics, type Metrics } from '../../src/http/metrics';
import { memoryLogger } from '../support/memory-log';

describe('metrics', () => {
  it('renders counters by action and status, decision histogram, loop delay and memory', () => {
    const m = createMetrics();
    m.request('read', 307, 0.001);
    m.request('read', 307, 0.002);
    m.request('write', 413, 0.001);
    m.request(undefined, 404, 0.001);
    m.decision(4e-7);
    m.decision(3e-6);
    const text = m.render();
    m.stop();
    expect(text).toContain('signpost_requests_total{action="read",status="307"} 2');
    expect(text).toContain('signpost_requests_total{action="write",status="413"} 1');
    expect(text).toContain('signpost_requests_total{action="none",status="404"} 1');
    expect(text).toContain('signpost_decision_duration_seconds_bucket{le="0.000001"} 1');
    expect(text).toContain('signpost_decision_duration_seconds_bucket{le="0.000005"} 2');
    expect(text).toContain('signpost_decision_duration_seconds_count 2');
    expect(text).toMatch(/signpost_resident_memory_bytes \d+/);
    expect(text).toMatch(/signpost_event_loop_delay_seconds\{quantile="0.99"\} [\d.e-]+/);
  });
});

describe('GET /metrics on the gateway\'s port', () => {
  const backend = {
    kind: 'fake',
    storageEnforces: new Set<never>(),
    presign: (i: { key: string; now: Date }) => Promise.resolve({ method: 'GET' as const, url: `http://store.test/${i.key}`, headers: {}, expiresAt: i.now }),
  };
  const mounts = [{ path: '/files', bucket: 'b', prefix: '', backend }];
  const TOKEN = 'metrics-token-'.padEnd(40, 'x');
  const registries: Metrics[] = [];
  const registry = (): Metrics => {
    const m = createMetrics();
    registries.push(m);
    return m;
  };
  afterAll(() => registries.forEach((m) => m.stop()));

  it('is absent when metrics are off, and when they are on without a token (they are on the loopback port then)', async () => {
    expect((await request(createApp({ mounts, logger: memoryLogger().logger, urlTtl: 60 })).get('/metrics')).status).toBe(404);
    const counting = createApp({ mounts, logger: memoryLogger().logger, urlTtl: 60, metrics: registry() });
    expect((await request(counting).get('/metrics')).status).toBe(404);
    expect((await request(counting).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(404);
  });

  it('with a token: 401 without it or with another, 200 with it; counts requests and decisions, no keys', async () => {
    const metrics = registry();
    const on = createApp({ mounts, logger: memoryLogger().logger, urlTtl: 60, metrics, metricsToken: TOKEN });
    await request(on).get('/files/a');
    await request(on).get('/files/a');
    await request(on).put('/files/a');
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`, TOKEN, `Bearer ${TOKEN} extra`]) {
      const denied = await (authorization === undefined ? request(on).get('/metrics') : request(on).get('/metrics').set('Authorization', authorization));
      expect([authorization, denied.status, denied.headers['www-authenticate']]).toEqual([authorization, 401, 'Bearer realm="signpost-metrics"']);
      expect(denied.text).not.toContain('signpost_requests_total');
    }
    const res = await request(on).get('/metrics').set('Authorization', `bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('signpost_requests_total{action="read",status="307"} 2');
    expect(res.text).toContain('signpost_decision_duration_seconds_count 3');
    expect(res.text).not.toMatch(/files\/a/); // no keys or paths in metrics
  });
});
