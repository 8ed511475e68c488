/**
 * Small shared helpers for the benchmark parts: medians, number formatting, markdown tables,
 * the machine description printed next to every table, and the run options (--smoke, --only).
 * Pure except machineInfo (reads /proc and os).
 */
import { cpus } from 'node:os';
import { spawnSync } from 'node:child_process';

export interface RunOptions {
  /** Short CI run: fewer/shorter rounds, smaller sizes; every table says so. */
  readonly smoke: boolean;
}

/** One part's output: a heading, a markdown table, and verdict lines ("PASS"/"MISS" + why). */
export interface PartResult {
  readonly title: string;
  readonly table: string;
  readonly notes: readonly string[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a';
}

export function verdict(ok: boolean, what: string): string {
  return `${ok ? 'PASS' : 'MISS'}: ${what}`;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const sep = head.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function machineInfo(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() || String(cpus().length);
  const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const wrkVersion = /wrk (\S+)/.exec(`${wrk.stdout}${wrk.stderr}`)?.[1] ?? 'absent';
  return `nproc ${nproc}, ${cpu}, node ${process.version}, wrk ${wrkVersion}, ${process.platform} ${process.arch}`;
}

/** Runs `fn` `batches` times over `batch` calls; returns the median ns per call (first `warm` dropped). */
export async function nsPerCall(fn: () => unknown, batch: number, batches: number, warm = 3): Promise<number> {
  const samples: number[] = [];
  for (let b = 0; b < batches + warm; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    if (b >= warm) samples.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  return median(samples);
}
