import request from 'supertest';
import { createApp } from '../../src/app';
import { createMetrics } from '../../src/http/metrics';
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

describe('GET /metrics', () => {
  it('is absent by default and counts requests and decisions when on', async () => {
    const backend = {
      kind: 'fake',
      storageEnforces: new Set<never>(),
      presign: (i: { key: string; now: Date }) => Promise.resolve({ method: 'GET' as const, url: `http://store.test/${i.key}`, headers: {}, expiresAt: i.now }),
    };
    const mounts = [{ path: '/files', bucket: 'b', prefix: '', backend }];
    const off = createApp({ mounts, logger: memoryLogger().logger, urlTtl: 60 });
    expect((await request(off).get('/metrics')).status).toBe(404);

    const on = createApp({ mounts, logger: memoryLogger().logger, urlTtl: 60, metrics: true });
    await request(on).get('/files/a');
    await request(on).get('/files/a');
    await request(on).put('/files/a');
    const res = await request(on).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('signpost_requests_total{action="read",status="307"} 2');
    expect(res.text).toContain('signpost_decision_duration_seconds_count 3');
    expect(res.text).not.toMatch(/files\/a/); // no keys or paths in metrics
  });
});
