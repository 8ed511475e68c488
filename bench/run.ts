/**
 * The benchmark runner: `npm run bench` (full), `npm run bench:smoke` (short, for CI),
 * `--only <name>` for one part (redirects, hotpath, in-process, policy, uploads, lambda, memory, body-uploads),
 * `--profile` to also CPU-profile the gateway under load (part 1), `--out FILE` to also write
 * the markdown. Prints the machine (nproc, CPU, node, wrk) and, per part, a markdown table of
 * medians and ratios plus PASS/MISS lines. Every part is bounded in time and count; server
 * children are killed on exit. Not part of `npm test`.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runBodyUploads } from './body-uploads';
import { runRedirects } from './http-redirect';
import { runHotpath } from './hotpath';
import { runInProcess } from './in-process';
import { runLambda } from './lambda';
import { machineInfo, type PartResult, type RunOptions } from './lib/stats';
import { runMemory } from './memory';
import { runPolicyScaling } from './policy-scaling';
import { runUploads } from './uploads';

const PARTS: Record<string, (o: RunOptions & { profile: boolean }) => PartResult | Promise<PartResult>> = {
  redirects: runRedirects,
  hotpath: runHotpath,
  'in-process': runInProcess,
  policy: runPolicyScaling,
  uploads: runUploads,
  lambda: runLambda,
  memory: runMemory,
  'body-uploads': runBodyUploads,
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const smoke = process.argv.includes('--smoke');
  const profile = process.argv.includes('--profile');
  const only = arg('--only');
  if (only !== undefined && !(only in PARTS)) {
    console.error(`unknown part ${only}; one of: ${Object.keys(PARTS).join(', ')}`);
    return 2;
  }
  const started = Date.now();
  const out: string[] = [
    `## Signpost benchmarks (${smoke ? 'SMOKE run: short, indicative only' : 'full run'}${only ? `, part ${only} only` : ''})`,
    '',
    `Machine: ${machineInfo()}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`,
  ];
  console.log(out.join('\n'));
  let failed = 0;
  for (const [name, run] of Object.entries(PARTS)) {
    if (only !== undefined && name !== only) continue;
    const t0 = Date.now();
    let section: string;
    try {
      const r = await run({ smoke, profile });
      section = `\n### ${r.title}\n\n${r.table}${r.table ? '\n\n' : ''}${r.notes.map((n) => `- ${n}`).join('\n')}\n- (${((Date.now() - t0) / 1000).toFixed(0)} s; load average after: ${loadavg()[0]!.toFixed(2)})`;
    } catch (err) {
      failed++;
      section = `\n### ${name}\n\n- ERROR: ${err instanceof Error ? err.message : String(err)}`;
    }
    console.log(section);
    out.push(section);
  }
  const tail = `\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  console.log(tail);
  out.push(tail);
  const file = arg('--out');
  if (file !== undefined) writeFileSync(file, `${out.join('\n')}\n`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
