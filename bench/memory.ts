/**
 * Part 6, memory under a long run: the same production gateway as part 1 (S3 mode, API key,
 * 100 rules, info logging to /dev/null) takes `first` redirects (default 10k), then more until
 * `total` (default 1M, SIGNPOST_BENCH_MEMORY_TOTAL overrides; --smoke: 2k then 20k), driven by
 * wrk with a Lua response counter (50 connections). Target: RSS after `total` within 10 % of
 * RSS after `first`. RSS is read from the child 1 s after each phase, without forcing GC.
 */
import { startChild } from './lib/child';
import { ALLOWED_PATH, AUTH_HEADER, gatewayEnv } from './lib/fixtures';
import { fmt, table, verdict, type PartResult, type RunOptions } from './lib/stats';
import { requireWrk, runWrkCount } from './lib/wrk';

const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runMemory(o: RunOptions): Promise<PartResult> {
  requireWrk();
  const first = o.smoke ? 2_000 : 10_000;
  const total = o.smoke ? 20_000 : Number(process.env.SIGNPOST_BENCH_MEMORY_TOTAL ?? 1_000_000);
  const g = await startChild('gateway-memory', 'gateway.ts', [], gatewayEnv(100));
  try {
    const drive = async (n: number): Promise<number> => {
      // Bounded by count and by time (n at ≥ 300 req/s, at most an hour); the table shows the count served.
      const w = await runWrkCount({ url: g.url + ALLOWED_PATH, seconds: Math.min(3600, Math.ceil(n / 300) + 10), connections: 50, headers: AUTH_HEADER, count: n });
      if (w.non2xx3xx + w.errors > 0) throw new Error(`memory run: ${w.non2xx3xx} non-3xx, ${w.errors} socket errors`);
      return w.requests;
    };
    const start = await g.stats();
    let served = await drive(first);
    await sleep(1000);
    const a = await g.stats();
    const t0 = Date.now();
    served += await drive(total - served);
    const seconds = (Date.now() - t0) / 1000;
    await sleep(1000);
    const b = await g.stats();
    const growth = (b.rss - a.rss) / a.rss;
    return {
      title: `6. Memory: RSS after ${fmt(first)} vs ${fmt(served)} redirects`,
      table: table(
        ['point', 'redirects served', 'RSS MB', 'heap used MB'],
        [
          ['at start (idle)', '0', fmt(start.rss / MB, 1), fmt(start.heapUsed / MB, 1)],
          [`after the first ${fmt(first)}`, fmt(first), fmt(a.rss / MB, 1), fmt(a.heapUsed / MB, 1)],
          ['at the end', fmt(served), fmt(b.rss / MB, 1), fmt(b.heapUsed / MB, 1)],
        ],
      ),
      notes: [
        `${o.smoke ? `SMOKE run: ${fmt(first)} then ${fmt(total)} redirects (the full run uses 10k then 1M; set SIGNPOST_BENCH_MEMORY_TOTAL to change the total).` : `Second phase took ${fmt(seconds)} s.`} wrk stops each connection's thread at the count, so a few dozen extra may be served.`,
        verdict(Math.abs(growth) <= 0.1, `RSS at the end within ±10 % of RSS after the first ${fmt(first)}: ${(growth * 100).toFixed(1)} %`),
        verdict(growth <= 0.1, `no growth beyond +10 % (a shrink means memory went back to the OS, not a leak): ${(growth * 100).toFixed(1)} %`),
      ],
    };
  } finally {
    await g.stop();
  }
}
