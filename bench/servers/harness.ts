/**
 * The child side of lib/child.ts: counts bytes read by every socket of `server`, answers
 * `stats` with RSS / heapUsed / bytesRead / CPU time and the longest GC pause since the previous
 * `stats` (so a round's tail can be told apart from the process's own pauses), runs a full GC on
 * `collect` (children start with --expose-gc), exits cleanly on `stop` (or when the parent goes).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { Server, Socket } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';

/** CPU profiling on request (`profile-start` / `profile-stop` with a file), so only the load is sampled. */
const session = new Session();
function post(method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}

export function serveChild(server: Server, url: string, extra: Record<string, unknown> = {}): void {
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
  }).observe({ entryTypes: ['gc'] });
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => {
      closedBytes += s.bytesRead;
      sockets.delete(s);
    });
  });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      let bytesRead = closedBytes;
      for (const s of sockets) bytesRead += s.bytesRead;
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      process.send?.({ type: 'stats', rss: mem.rss, heapUsed: mem.heapUsed, bytesRead, cpuUs: cpu.user + cpu.system, gcMaxMs });
      gcMaxMs = 0;
    } else if (m.type === 'profile-start') {
      session.connect();
      void post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 100 }))
        .then(() => post('Profiler.start'))
        .then(() => process.send?.({ type: 'profile-started' }));
    } else if (m.type === 'profile-stop') {
      const file = (m as { file?: string }).file ?? 'gateway.cpuprofile';
      void post('Profiler.stop').then((r) => {
        writeFileSync(file, JSON.stringify((r as { profile: unknown }).profile));
        session.disconnect();
        process.send?.({ type: 'profile-written', file });
      });
    } else if (m.type === 'collect') {
      // A full collection now, between rounds, rather than V8's idle-time one during the next server's round.
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: 'collected' });
    } else if (m.type === 'stop') {
      process.exit(0);
    }
  });
  process.once('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', url, ...extra });
}
