/**
 * Part 3, how decision time scales with rule count (10, 100, 1,000, 10,000 rules; target: at
 * most 2× from 10 to 10,000). Rule sets are realistic (lib/fixtures.ts `rules`): a handful of
 * shared rules plus per-project / per-department rules with distinct literal prefixes; the
 * workload mixes principals, actions and keys that hit and miss. Median ns per decision.
 * Standalone: `npx tsx bench/policy-scaling.ts [--smoke]`; the runner calls runPolicyScaling.
 */
import { compilePolicy } from '../src/policy';
import type { Action, Principal } from '../src/policy';
import { rules } from './lib/fixtures';
import { fmt, median, table, verdict, type PartResult, type RunOptions } from './lib/stats';

const SIZES = [10, 100, 1000, 10_000];

function workload(n: number): { p: Principal; a: Action; k: string }[] {
  const out: { p: Principal; a: Action; k: string }[] = [];
  for (let i = 0; i < 1000; i++) {
    const j = (i * 7919) % Math.max(n, 10);
    const p: Principal = { kind: 'user', subject: `u${j % 500}`, groups: [`g${j % 50}`, 'eng'], claims: { dept: 'rnd' }, via: 'jwt' };
    const keys = [`projects/p${j}/docs/spec-${i}.txt`, `home/u${j % 500}/photos/${i}.jpg`, `depts/d${j}/reports/q${i}.pdf`, `public/assets/${i}.css`, `teams/eng/x/${i}.exe`];
    out.push({ p, a: i % 3 === 0 ? 'write' : 'read', k: keys[i % keys.length]! });
  }
  return out;
}

export function runPolicyScaling(o: RunOptions): PartResult {
  const batch = o.smoke ? 5_000 : 20_000;
  const batches = o.smoke ? 7 : 25;
  const engines = SIZES.map((n) => ({ n, engine: compilePolicy({ version: 1, rules: rules(n) }), work: workload(n), samples: [] as number[], allowed: 0, calls: 0 }));
  // Interleaved: one batch per size per pass, so drift on a shared machine hits every size alike.
  for (let b = 0; b < batches + 5; b++) {
    for (const e of engines) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) {
        const w = e.work[i % e.work.length]!;
        if (e.engine.decide(w.p, w.a, w.k).effect === 'allow') e.allowed++;
      }
      const ns = Number(process.hrtime.bigint() - t0) / batch;
      e.calls += batch;
      if (b >= 5) e.samples.push(ns); // the first passes warm up the JIT
    }
  }
  const ns = engines.map((e) => median(e.samples));
  const r = ns[ns.length - 1]! / ns[0]!;
  return {
    title: '3. Policy scaling (decision time vs rule count)',
    table: table(['rules', 'median ns / decision', 'vs 10 rules', 'allow rate'], engines.map((e, i) => [fmt(e.n), fmt(ns[i]!), `${(ns[i]! / ns[0]!).toFixed(2)}×`, `${fmt((100 * e.allowed) / e.calls)}%`])),
    notes: [`${batches} interleaved batches of ${fmt(batch)} decisions per size after 5 warm-up passes; 1,000-request mixed workload.${o.smoke ? ' SMOKE run.' : ''}`, verdict(r <= 2, `10,000 rules ≤ 2× 10 rules: ${r.toFixed(2)}×`)],
  };
}

if (require.main === module) {
  const r = runPolicyScaling({ smoke: process.argv.includes('--smoke') });
  console.log(`${r.table}\n\n${r.notes.join('\n')}`);
}
