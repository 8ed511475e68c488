/**
 * Part 1, redirect throughput: the full gateway (API-key auth, a 100-rule policy, direct SigV4
 * presign, request logging at 'info' to /dev/null) against baselines doing exactly what their
 * names say (servers/baselines.ts), every server its own process on core 0, wrk (1 thread,
 * 50 connections, --latency) on core 1. All servers start together; rounds interleave across
 * them so drift hits all alike; medians over rounds. Targets: gateway ≥ 0.8× express constant
 * 307, ≥ 4× express + getSignedUrl (shared client), gateway p99 ≤ 3× p50.
 * `profile: true` adds a --cpu-prof gateway (separate process, not in the table) under the same
 * load and writes the .cpuprofile to bench/profiles/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, type ServerChild } from './lib/child';
import { ALLOWED_PATH, AUTH_HEADER, AWS_ENV, DUMMY_S3, gatewayEnv } from './lib/fixtures';
import { fmt, median, ratio, table, verdict, type PartResult, type RunOptions } from './lib/stats';
import { requireWrk, runWrk, type WrkResult } from './lib/wrk';

const BASELINES = ['node-http', 'express-307', 'express-redirect', 'express-sdk', 'express-sdk-new'] as const;
const LABEL: Record<string, string> = {
  gateway: 'Signpost gateway (API key + 100 rules + presign + info log)',
  'node-http': 'bare node:http, constant 307',
  'express-307': 'express 5, constant 307 (set Location, end)',
  'express-redirect': 'express 5, res.redirect(307, constant)',
  'express-sdk': 'express 5 + getSignedUrl, shared S3Client',
  'express-sdk-new': 'express 5 + new S3Client per request (Stackery shape)',
  'gateway-silent': 'diagnostic: gateway with SIGNPOST_LOG_LEVEL=silent',
  'gateway-open': 'diagnostic: gateway zero-config (no auth, no policy), info log',
};
export const PROFILE_DIR = join(__dirname, 'profiles');

export async function runRedirects(o: RunOptions & { profile?: boolean }): Promise<PartResult> {
  requireWrk();
  const rounds = o.smoke ? 1 : 3;
  const seconds = o.smoke ? 2 : 8;
  const children: ServerChild[] = [];
  try {
    children.push(await startChild('gateway', 'gateway.ts', [], gatewayEnv(100)));
    // Ablations (not targets): what logging, and auth + policy, cost inside the same gateway.
    children.push(await startChild('gateway-silent', 'gateway.ts', [], { ...gatewayEnv(100), SIGNPOST_LOG_LEVEL: 'silent' }));
    children.push(await startChild('gateway-open', 'gateway.ts', [], { ...gatewayEnv(100), SIGNPOST_CONFIG: '' }));
    for (const b of BASELINES) children.push(await startChild(b, 'baselines.ts', [b], { ...AWS_ENV, SIGNPOST_S3_ENDPOINT: DUMMY_S3 }));
    const runs = new Map<string, WrkResult[]>(children.map((c) => [c.name, []]));
    const cpu = new Map<string, { us: number; requests: number; gcMaxMs: number }>(children.map((c) => [c.name, { us: 0, requests: 0, gcMaxMs: 0 }]));
    const load = (c: ServerChild, s: number): WrkResult =>
      runWrk({ url: c.url + ALLOWED_PATH, seconds: s, connections: 50, headers: c.name.startsWith('gateway') ? AUTH_HEADER : {} });
    for (const c of children) {
      load(c, o.smoke ? 1 : 3); // warm-up: JIT, SDK lazy loading
      await settle(c);
    }
    /** One measured round, also charging the server's own CPU time to its requests. */
    const measured = async (c: ServerChild): Promise<WrkResult> => {
      const before = (await c.stats()).cpuUs;
      const w = load(c, seconds);
      const acc = cpu.get(c.name)!;
      const after = await c.stats();
      acc.us += after.cpuUs - before;
      acc.requests += w.requests;
      acc.gcMaxMs = Math.max(acc.gcMaxMs, after.gcMaxMs);
      await settle(c);
      return w;
    };
    for (let r = 0; r < rounds; r++) {
      // Rotate the start so no server always runs first (or right after the heaviest one).
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + r) % children.length]!;
        runs.get(c.name)!.push(await measured(c));
      }
    }
    const med = (name: string, f: (w: WrkResult) => number): number => median(runs.get(name)!.map(f));
    const gw = med('gateway', (w) => w.rps);
    const rows = children.map((c) => {
      const rps = med(c.name, (w) => w.rps);
      const p50 = med(c.name, (w) => w.p50us);
      const p99 = med(c.name, (w) => w.p99us);
      const bad = runs.get(c.name)!.reduce((a, w) => a + w.non2xx3xx + w.errors, 0);
      const { us, requests, gcMaxMs } = cpu.get(c.name)!;
      return [LABEL[c.name] ?? c.name, fmt(rps), fmt(us / requests, 1), fmt(p50), fmt(p99), (p99 / p50).toFixed(1), fmt(gcMaxMs, 1), ratio(gw, rps), String(bad)];
    });
    const express307 = med('express-307', (w) => w.rps);
    const sdk = med('express-sdk', (w) => w.rps);
    const gp50 = med('gateway', (w) => w.p50us);
    const gp99 = med('gateway', (w) => w.p99us);
    const cpuPer = (n: string): number => cpu.get(n)!.us / cpu.get(n)!.requests;
    const notes = [
      `server CPU µs/req = the server process's user+system CPU over the measured rounds ÷ requests served (robust to other load on the machine). Gateway ${fmt(cpuPer('gateway'), 1)} µs = express floor ${fmt(cpuPer('express-307'), 1)} µs + ${fmt(cpuPer('gateway') - cpuPer('express-307'), 1)} µs of Signpost's own work; express's own cost over bare node:http: ${fmt(cpuPer('express-307') - cpuPer('node-http'), 1)} µs.`,
      `${rounds} interleaved round(s) of ${seconds} s per server after a warm-up; 50 connections; medians.${o.smoke ? ' SMOKE run: short rounds, indicative only.' : ''}`,
      verdict(gw >= 0.8 * express307, `gateway ≥ 0.8× express constant 307: ${ratio(gw, express307)}`),
      verdict(gw >= 4 * sdk, `gateway ≥ 4× express + getSignedUrl (shared client): ${ratio(gw, sdk)}`),
      verdict(gp99 <= 3 * gp50, `gateway p99 ≤ 3× p50: ${fmt(gp99)} µs vs ${fmt(gp50)} µs (${(gp99 / gp50).toFixed(1)}×); its longest GC pause in the measured rounds ${fmt(cpu.get('gateway')!.gcMaxMs, 1)} ms (a p99 far above that is the process waiting for a core, not its own work)`),
      `gateway vs bare node:http: ${ratio(gw, med('node-http', (w) => w.rps))}; vs express res.redirect: ${ratio(gw, med('express-redirect', (w) => w.rps))}; vs Stackery shape: ${ratio(gw, med('express-sdk-new', (w) => w.rps))}`,
    ];
    if (o.profile) notes.push((await profileGateway(seconds)).note);
    const tableText = table(['server (GET → 307)', 'req/s', 'server CPU µs/req', 'p50 µs', 'p99 µs', 'p99/p50', 'longest GC pause ms', 'gateway ÷ this', 'non-3xx/errors'], rows);
    return { title: '1. Redirect throughput (wrk, 50 connections, loopback)', table: tableText, notes };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

/**
 * After a round: `c` collects its garbage now, then we wait (at most 15 s) until it has been idle
 * for a quarter second. A slow server is still draining its backlog after wrk stops, and V8
 * collects a big heap when a process turns idle; every server shares core 0, so without this the
 * next server's tail measures the previous one's leftovers (seen: the gateway's p99 at 130-200 ms
 * in full runs, 14-41 ms with the two SDK baselines left out, 17-20 ms alone).
 */
export async function settle(c: ServerChild): Promise<void> {
  await c.request({ type: 'collect' }, 'collected');
  const deadline = Date.now() + 15_000;
  let last = (await c.stats()).cpuUs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = (await c.stats()).cpuUs;
    if (now - last < 12_500) return; // under 5 % of a core
    last = now;
  }
}

/** A separate gateway with --cpu-prof under the same load; profiling slows it, so not in the table. */
export async function profileGateway(
  seconds: number,
  name = 'gateway',
  env: NodeJS.ProcessEnv = gatewayEnv(100),
  headers: Readonly<Record<string, string>> = AUTH_HEADER,
): Promise<{ note: string; file: string }> {
  mkdirSync(PROFILE_DIR, { recursive: true });
  const g = await startChild(`${name}-prof`, 'gateway.ts', [], env);
  const file = join(PROFILE_DIR, `${name}-${Date.now()}.cpuprofile`);
  const url = g.url + ALLOWED_PATH;
  try {
    runWrk({ url, seconds: 2, connections: 50, headers }); // warm-up, not sampled
    await g.request({ type: 'profile-start' }, 'profile-started');
    const w = runWrk({ url, seconds: Math.max(seconds, 5), connections: 50, headers });
    await g.request({ type: 'profile-stop', file }, 'profile-written');
    const note = `CPU profile of ${name} under load (${fmt(w.rps)} req/s while sampled, warm-up excluded): ${file}; summarise with \`npx tsx bench/profile-summary.ts ${file}\``;
    return { note, file };
  } finally {
    await g.stop();
  }
}
