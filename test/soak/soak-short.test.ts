/** A short soak in `npm test`: 5 s of mixed traffic at 20 connections; scripts/soak.ts runs the long one. */
import { soak } from '../../scripts/soak';

it('mixed traffic: every response is the expected status, the server stays up', async () => {
  const report = await soak(5, 20);
  console.log(`soak: ${report.requests} requests, ${Math.round(report.requestsPerSecond)}/s, RSS ${report.rssMb.afterWarmup.toFixed(0)} -> ${report.rssMb.end.toFixed(0)} MB, loop delay p99 ${report.loopDelayP99Ms.toFixed(1)} ms`);
  expect(report.unexpected).toBe(0);
  expect(report.requests).toBeGreaterThan(500);
  for (const [op, tally] of Object.entries(report.byOp)) expect([op, tally.ok > 0]).toEqual([op, true]);
}, 60_000);
