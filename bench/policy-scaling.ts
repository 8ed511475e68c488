/**
 * Part 3, how decision time scales with rule count, per shape of rule (target: at most 2× from
 * 10 to 10,000 rules for every shape and for a mix). Shapes (lib/policy-shapes.ts): the
 * realistic literal-prefix set (lib/fixtures.ts `rules`), extension deny lists `**\/*.extN`,
 * names `**\/nameN`, folders anywhere `**\/dirN/**`, variables `{sub}/dN/**`, `*` segments,
 * case-insensitive extension denies, and all of them mixed. Each workload mixes principals,
 * actions and keys that hit and miss. Median ns per decision.
 * Standalone: `npx tsx bench/policy-scaling.ts [--smoke] [--only SHAPE]`; the runner calls runPolicyScaling.
 */
import { compilePolicy } from '../src/policy';
import { SHAPE_EXAMPLES, SHAPES, shapeRules, shapeWorkload, type Shape } from './lib/policy-shapes';
import { fmt, median, table, verdict, type PartResult, type RunOptions } from './lib/stats';

const SIZES = [10, 100, 1000, 10_000];

export function runPolicyScaling(o: RunOptions & { shapes?: readonly Shape[] }): PartResult {
  const batch = o.smoke ? 2_000 : 10_000;
  const batches = o.smoke ? 5 : 15;
  const shapes = o.shapes ?? SHAPES;
  const engines = shapes.flatMap((shape) =>
    SIZES.map((n) => ({ shape, n, engine: compilePolicy({ version: 1, rules: shapeRules(shape, n) }), work: shapeWorkload(shape, n), samples: [] as number[], allowed: 0, calls: 0 })),
  );
  // Interleaved: one batch per shape and size per pass, so drift on a shared machine hits all alike.
  for (let b = 0; b < batches + 3; b++) {
    for (const e of engines) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) {
        const w = e.work[i % e.work.length]!;
        if (e.engine.decide(w.p, w.a, w.k).effect === 'allow') e.allowed++;
      }
      const ns = Number(process.hrtime.bigint() - t0) / batch;
      e.calls += batch;
      if (b >= 3) e.samples.push(ns); // the first passes warm up the JIT
    }
  }
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const shape of shapes) {
    const mine = engines.filter((e) => e.shape === shape);
    const ns = mine.map((e) => median(e.samples));
    const r = ns[ns.length - 1]! / ns[0]!;
    const rates = mine.map((e) => `${fmt((100 * e.allowed) / e.calls)}%`);
    rows.push([shape, SHAPE_EXAMPLES[shape], ...ns.map((x) => fmt(x)), `**${r.toFixed(2)}×**`, rates[0] === rates[rates.length - 1] ? rates[0]! : `${rates[0]} / ${rates[rates.length - 1]}`]);
    notes.push(verdict(r <= 2, `${shape}: 10,000 rules ≤ 2× 10 rules: ${r.toFixed(2)}×`));
  }
  return {
    title: '3. Policy scaling (decision time vs rule count, per shape)',
    table: table(['shape', 'rules like', ...SIZES.map((n) => `${fmt(n)} rules, ns`), '10k / 10', 'allow rate (10 / 10k)'], rows),
    notes: [`${batches} interleaved batches of ${fmt(batch)} decisions per shape and size after 3 warm-up passes; 1,000-request workload per shape.${o.smoke ? ' SMOKE run.' : ''}`, ...notes],
  };
}

if (require.main === module) {
  const only = process.argv.indexOf('--only');
  const r = runPolicyScaling({ smoke: process.argv.includes('--smoke'), ...(only > 0 && { shapes: [process.argv[only + 1] as Shape] }) });
  console.log(`${r.table}\n\n${r.notes.join('\n')}`);
}
