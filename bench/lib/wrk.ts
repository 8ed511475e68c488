/**
 * wrk on loopback: checks it is installed (and says how to install it if not), pins it to the
 * second core when taskset exists (servers go on the first, see child.ts), runs one bounded
 * round and parses requests/s and the 50th/99th latency percentiles from `--latency` output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  readonly rps: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly requests: number;
  readonly non2xx3xx: number;
  readonly errors: number;
}

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    throw new Error('wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk` (macOS)');
  }
}

/** Prefix for the load generator's command line: the second core when pinning is possible. */
export function clientPin(): string[] {
  return hasTaskset() ? ['taskset', '-c', '1'] : [];
}

function toMicros(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n : m[2] === 'ms' ? n * 1000 : n * 1e6;
}

/** Parses wrk's text report (with --latency). Exported for a unit check in the runner's self-test. */
export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const err = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = err ? err.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps, p50us: toMicros(p50), p99us: toMicros(p99), requests, non2xx3xx: non, errors };
}

export interface WrkOptions {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly headers?: Readonly<Record<string, string>>;
}

function wrkArgs(o: WrkOptions, script?: string): { cmd: string; argv: string[] } {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--timeout', '5s', '--latency'];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (script !== undefined) args.push('-s', script);
  args.push(o.url);
  const pin = clientPin();
  return pin.length > 0 ? { cmd: pin[0]!, argv: [...pin.slice(1), 'wrk', ...args] } : { cmd: 'wrk', argv: args };
}

function parsed(stdout: string): WrkResult {
  const res = parseWrk(stdout);
  if (!Number.isFinite(res.rps)) throw new Error(`cannot parse wrk output:\n${stdout}`);
  return res;
}

/** One round bounded by time. */
export function runWrk(o: WrkOptions): WrkResult {
  const { cmd, argv } = wrkArgs(o);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: (o.seconds + 30) * 1000 });
  if (r.status !== 0) throw new Error(`wrk failed (${r.status ?? r.signal}): ${r.stderr}`);
  return parsed(r.stdout);
}

const DONE = 'signpost-wrk-done';

/**
 * One round bounded by a count of responses (and by `seconds` as a backstop). A Lua counter stops
 * wrk's thread at `count` and prints a marker; wrk's main thread would still sleep out the whole
 * duration, so the marker is answered with SIGINT, on which wrk prints its report and exits.
 */
export function runWrkCount(o: WrkOptions & { readonly count: number }): Promise<WrkResult> {
  const script = join(tmpdir(), `signpost-wrk-stop-${process.pid}.lua`);
  writeFileSync(script, `local n = 0\nresponse = function(status, headers, body)\n  n = n + 1\n  if n == ${o.count} then\n    io.write("${DONE}\\n")\n    io.flush()\n    wrk.thread:stop()\n  end\nend\n`);
  const { cmd, argv } = wrkArgs(o, script);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const backstop = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 30) * 1000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes(DONE) && !child.killed) child.kill('SIGINT');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(backstop);
      if (code !== 0) return reject(new Error(`wrk failed (${code ?? signal}): ${err}`));
      try {
        resolve(parsed(out));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
