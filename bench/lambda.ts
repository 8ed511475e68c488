/**
 * Part 5, Lambda cold start: runs bench/lambda-cold-start.ts in its own process (a fresh process
 * per measured require is the point of that script), with `--runs 5` under --smoke (its default,
 * 21, otherwise), bounded to 10 minutes, and passes its markdown table through unchanged.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PartResult, RunOptions } from './lib/stats';

export function runLambda(o: RunOptions): PartResult {
  const title = '5. Lambda cold start (bench/lambda-cold-start.ts)';
  const script = join(__dirname, 'lambda-cold-start.ts');
  const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [script, ...(o.smoke ? ['--runs', '5'] : [])], { encoding: 'utf8', timeout: 600_000, cwd: join(__dirname, '..') });
  if (r.status !== 0) {
    return { title, table: '', notes: [`FAILED (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-8).join(' / ')}`] };
  }
  const lines = r.stdout.split('\n');
  const tableLines = lines.filter((l) => l.startsWith('|'));
  const other = lines.filter((l) => !l.startsWith('|') && l.trim() !== '');
  return { title, table: tableLines.join('\n'), notes: [...other, ...(o.smoke ? ['SMOKE run: 5 runs per bundle.'] : [])] };
}
