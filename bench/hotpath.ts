/**
 * Part "hotpath" (issue 16): the redirect hot path against the machine's floor. Three servers,
 * each its own process on core 0, wrk (1 thread, 50 connections, --latency) on core 1 when
 * taskset exists, rounds interleaved with a rotating start, medians:
 *   node-http      bare node:http answering a constant 307 (the floor)
 *   gateway-zero   `npm start`'s configuration: no config file, the embedded store, info log
 *   gateway-full   API key + 100-rule policy + SigV4 presign + info log (+ the security headers
 *                  and request id every answer carries; metrics off, the default)
 *   gateway-10k    gateway-full with 10,000 rules (bench/lib/fixtures.ts)
 * The gateways and the baselines run bundled as production runs them (lib/bundle.ts), not under tsx.
 * Two diagnostic rows (not targets) answer the constant 307 with the gateway's own nine headers,
 * so the share of the gap that is Node writing those headers is measured, not guessed; a third
 * (node-http-essentials) does only the work every redirect must do, with the gateway's own request
 * log, presigner and writeRedirect, so what is left of the gap is the gateway's own routing,
 * authorization and glue.
 * Targets: zero ≥ 0.4× floor, full ≥ 0.3× floor, 10k ≥ 0.9× full, p99 ≤ 3× p50 pinned.
 * `profile: true` also CPU-profiles gateway-zero and gateway-full under the same load (separate
 * processes, not in the table) and prints each profile's top entries (profile-summary.ts).
 * Run: `npm run bench:hotpath` (add `-- --profile` for the profiles). An A/B of two versions of
 * the code in one interleaved run: SIGNPOST_BENCH_AGAINST=<another checkout> adds a row per gateway
 * served from that checkout's src (e.g. `git worktree add /tmp/base main`, with node_modules).
 */
import { join } from 'node:path';
import { bundleServer } from './lib/bundle';
import { startChild, type ServerChild } from './lib/child';
import { ALLOWED_PATH, AUTH_HEADER, AWS_ENV, DUMMY_S3, gatewayEnv, tempDir } from './lib/fixtures';
import { fmt, median, ratio, table, verdict, type PartResult, type RunOptions } from './lib/stats';
import { hasTaskset, requireWrk, runWrk, type WrkResult } from './lib/wrk';
import { profileGateway, settle } from './http-redirect';
import { summarise } from './profile-summary';

const LABEL: Record<string, string> = {
  'node-http': 'bare node:http, constant 307 (floor)',
  'node-http-gateway-headers': "diagnostic: node:http, constant 307 with the gateway's 9 headers (setHeader each)",
  'node-http-gateway-headers-writehead': 'diagnostic: the same 9 headers in one writeHead array',
  'node-http-essentials': "diagnostic: node:http + only the required work, by the gateway's own functions (request log line, presign, writeRedirect)",
  'gateway-zero': 'gateway zero-config (embedded store, no auth, info log)',
  'gateway-full': 'gateway full (API key + 100 rules + presign + info log)',
  'gateway-10k': 'gateway full with 10,000 rules',
};
const GATEWAYS = ['gateway-zero', 'gateway-full', 'gateway-10k'] as const;
/** The other checkout of an A/B run; its rows are named `<gateway>@base`. */
const AGAINST = process.env.SIGNPOST_BENCH_AGAINST;

/** The zero-config gateway: no config file, the embedded store in a fresh data directory. */
function zeroEnv(): NodeJS.ProcessEnv {
  return { SIGNPOST_CONFIG: '', SIGNPOST_BUCKET: '', SIGNPOST_DATA_DIR: tempDir('zero'), PORT: '0', HOST: '127.0.0.1', SIGNPOST_LOG_LEVEL: '' };
}

export async function runHotpath(o: RunOptions & { profile?: boolean }): Promise<PartResult> {
  requireWrk();
  const rounds = o.smoke ? 1 : 4;
  const seconds = o.smoke ? 2 : 5;
  const children: ServerChild[] = [];
  const headers = (name: string): Record<string, string> => (name.startsWith('gateway-full') || name.startsWith('gateway-10k') ? AUTH_HEADER : {});
  const env = (name: string): NodeJS.ProcessEnv => (name === 'gateway-zero' ? zeroEnv() : gatewayEnv(name === 'gateway-full' ? 100 : 10_000));
  try {
    // Bundled like the gateways: node-http-essentials runs the gateway's own request log and presigner.
    const baselines = bundleServer(join(__dirname, '..'), 'baselines.ts');
    for (const b of ['node-http', 'node-http-gateway-headers', 'node-http-gateway-headers-writehead', 'node-http-essentials']) children.push(await startChild(b, baselines, [b], { ...AWS_ENV, SIGNPOST_S3_ENDPOINT: DUMMY_S3 }));
    const gateway = bundleServer(join(__dirname, '..'), 'gateway.ts');
    const base = AGAINST === undefined ? undefined : bundleServer(AGAINST, 'gateway.ts');
    for (const g of GATEWAYS) {
      children.push(await startChild(g, gateway, [], env(g)));
      if (base !== undefined) children.push(await startChild(`${g}@base`, base, [], env(g)));
    }
    const runs = new Map<string, WrkResult[]>(children.map((c) => [c.name, []]));
    const cpu = new Map<string, { us: number; requests: number }>(children.map((c) => [c.name, { us: 0, requests: 0 }]));
    const load = (c: ServerChild, s: number): WrkResult => runWrk({ url: c.url + ALLOWED_PATH, seconds: s, connections: 50, headers: headers(c.name) });
    for (const c of children) {
      const w = load(c, o.smoke ? 1 : 3); // warm-up: JIT
      if (w.non2xx3xx + w.errors > 0) throw new Error(`${c.name}: ${w.non2xx3xx} non-3xx answers, ${w.errors} errors in the warm-up`);
      await settle(c);
    }
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + r) % children.length]!;
        const before = (await c.stats()).cpuUs;
        const w = load(c, seconds);
        const acc = cpu.get(c.name)!;
        acc.us += (await c.stats()).cpuUs - before;
        acc.requests += w.requests;
        runs.get(c.name)!.push(w);
        await settle(c);
      }
    }
    const med = (name: string, f: (w: WrkResult) => number): number => median(runs.get(name)!.map(f));
    const floor = med('node-http', (w) => w.rps);
    const cpuPer = (n: string): number => cpu.get(n)!.us / cpu.get(n)!.requests;
    const floorCpu = cpuPer('node-http');
    const rows = children.map((c) => {
      const rps = med(c.name, (w) => w.rps);
      const p50 = med(c.name, (w) => w.p50us);
      const p99 = med(c.name, (w) => w.p99us);
      const bad = runs.get(c.name)!.reduce((a, w) => a + w.non2xx3xx + w.errors, 0);
      const { us, requests } = cpu.get(c.name)!;
      const label = c.name.endsWith('@base') ? `${LABEL[c.name.slice(0, -5)]} @ ${AGAINST}` : (LABEL[c.name] ?? c.name);
      return [label, fmt(rps), fmt(us / requests, 1), fmt(p50), fmt(p99), (p99 / p50).toFixed(1), ratio(rps, floor), ratio(floorCpu, us / requests), String(bad)];
    });
    const rps = (n: string): number => med(n, (w) => w.rps);
    const tail = (n: string): string => {
      const p50 = med(n, (w) => w.p50us);
      const p99 = med(n, (w) => w.p99us);
      return verdict(p99 <= 3 * p50, `${n} p99 ≤ 3× p50: ${fmt(p99)} vs ${fmt(p50)} µs (${(p99 / p50).toFixed(1)}×)`);
    };
    const notes = [
      `${rounds} interleaved round(s) of ${seconds} s per server after a warm-up; 50 connections; medians; ${hasTaskset() ? 'servers pinned to core 0, wrk to core 1 (taskset)' : 'NOT pinned (no taskset)'}.${o.smoke ? ' SMOKE run: indicative only.' : ''}`,
      'server CPU µs/req = the server process\'s user+system CPU over its measured rounds ÷ requests served. "÷ bare node:http" is req/s ÷ the floor\'s req/s in the same run; "CPU cost ratio" is the floor\'s CPU µs/req ÷ this one\'s, which is what req/s tends to on a quiet machine where each server saturates its core, and the figure to trust when other work shares core 0.',
      verdict(rps('gateway-zero') >= 0.4 * floor, `zero-config gateway ≥ 0.4× bare node:http: ${ratio(rps('gateway-zero'), floor)} (CPU cost ratio ${ratio(floorCpu, cpuPer('gateway-zero'))})`),
      verdict(rps('gateway-full') >= 0.3 * floor, `full gateway ≥ 0.3× bare node:http: ${ratio(rps('gateway-full'), floor)} (CPU cost ratio ${ratio(floorCpu, cpuPer('gateway-full'))})`),
      verdict(rps('gateway-10k') >= 0.9 * rps('gateway-full'), `10,000 rules ≥ 0.9× 100 rules: ${ratio(rps('gateway-10k'), rps('gateway-full'))}`),
      tail('gateway-zero'),
      tail('gateway-full'),
    ];
    if (o.profile) {
      for (const [name, env, h] of [
        ['gateway-zero', zeroEnv(), {}],
        ['gateway-full', gatewayEnv(100), AUTH_HEADER],
      ] as const) {
        const { note, file } = await profileGateway(seconds, name, env, h);
        notes.push(note, `\n\`\`\`\n${summarise(file, 20)}\n\`\`\``);
      }
    }
    const tableText = table(['server (GET → 307)', 'req/s', 'server CPU µs/req', 'p50 µs', 'p99 µs', 'p99/p50', '÷ bare node:http', 'CPU cost ratio', 'non-3xx/errors'], rows);
    return { title: 'Hot path: the gateway against bare node:http (wrk, 50 connections, loopback)', table: tableText, notes };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
