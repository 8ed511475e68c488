/**
 * The progress display of `signpost cp`, on stderr. On a TTY: one line rewritten in place
 * (`\r`, at most 10 times a second) with a bar, bytes, percentage and rate. Not a TTY (CI logs,
 * pipes): a plain line at each 10% step and at the end, so logs stay readable. `quiet`: nothing.
 * Bytes can be taken back (`add(-n)`) when a part is retried.
 */
import type { Writable } from 'node:stream';

export interface ProgressOptions {
  readonly out: Writable & { isTTY?: boolean; columns?: number };
  readonly label: string;
  readonly total: number;
  readonly quiet?: boolean;
  readonly now?: () => number;
}

export interface Progress {
  add(bytes: number): void;
  done(): void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { out, label, total, quiet } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const tty = out.isTTY === true;
  let current = 0;
  let lastDraw = 0;
  let lastStep = -1;

  const line = (): string => {
    const pct = total === 0 ? 100 : Math.min(100, (current / total) * 100);
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = `${formatBytes(current / seconds)}/s`;
    const text = `${label} ${formatBytes(current)} / ${formatBytes(total)} ${pct.toFixed(0).padStart(3)}% ${rate}`;
    if (!tty) return text;
    const width = Math.max(10, Math.min(40, (out.columns ?? 80) - text.length - 4));
    const filled = Math.round((pct / 100) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
  };

  const draw = (final: boolean): void => {
    if (quiet) return;
    if (tty) {
      const t = now();
      if (!final && t - lastDraw < 100) return;
      lastDraw = t;
      out.write(`\r${line()}\x1b[K${final ? '\n' : ''}`);
      return;
    }
    const step = total === 0 ? 10 : Math.floor((current / total) * 10);
    if (final || step > lastStep) {
      lastStep = step;
      out.write(`${line()}\n`);
    }
  };

  return {
    add(bytes) {
      current = Math.max(0, current + bytes);
      draw(false);
    },
    done() {
      current = Math.max(current, total);
      draw(true);
    },
  };
}
