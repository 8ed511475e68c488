/**
 * The long fuzzing run: the same property as test/hostile/fuzz.test.ts, with many more runs.
 *
 *   npx tsx scripts/fuzz-long.ts            # 20000 runs
 *   npx tsx scripts/fuzz-long.ts 100000     # as many as you like
 *   FUZZ_SEED=123 npx tsx scripts/fuzz-long.ts   # replay a failure's seed
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const runs = process.argv[2] ?? process.env.FUZZ_RUNS ?? '20000';
if (!/^\d+$/.test(runs)) {
  console.error(`usage: tsx scripts/fuzz-long.ts [runs]  (got ${runs})`);
  process.exit(2);
}
const root = resolve(__dirname, '..');
const result = spawnSync('npx', ['jest', '--testTimeout', String(24 * 3600 * 1000), 'test/hostile/fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs },
});
process.exit(result.status ?? 1);
