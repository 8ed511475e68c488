/**
 * Server children: each server under test runs in its own Node process (own event loop), pinned
 * to core 0 with taskset when available, loaded through tsx, stdout to /dev/null (the gateway's
 * log lines are really formatted and written there). They talk over IPC: the child sends
 * `{type:'ready', url, ...}`; `stats()` asks for RSS and the server's socket bytesRead; `stop()`
 * asks it to exit cleanly (so `--cpu-prof` profiles get written) and kills it after 10 s anyway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { hasTaskset } from './wrk';

export interface ChildStats {
  readonly rss: number;
  readonly heapUsed: number;
  readonly bytesRead: number;
  /** User + system CPU time of the child so far, µs. */
  readonly cpuUs: number;
  /** The longest GC pause since the previous stats() call, ms. */
  readonly gcMaxMs: number;
}

export interface ServerChild {
  readonly name: string;
  readonly url: string;
  readonly info: Readonly<Record<string, unknown>>;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
  /** Sends `msg` and resolves with the first reply of type `reply` (10 s limit). */
  request(msg: Record<string, unknown>, reply: string): Promise<Record<string, unknown>>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export const SERVERS_DIR = join(__dirname, '..', 'servers');

/** Starts `bench/servers/<file>` (or `file`, when absolute) with `args`; rejects if it is not ready within 30 s. `pin: false` leaves it on any core. */
export function startChild(name: string, file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = [], pin = true): Promise<ServerChild> {
  // --expose-gc only makes gc() callable (for `collect` between rounds); it changes no GC behaviour.
  const node = ['--expose-gc', ...nodeArgs, '--import', 'tsx', resolve(SERVERS_DIR, file), ...args];
  const [cmd, argv] = pin && hasTaskset() ? ['taskset', ['-c', '0', process.execPath, ...node]] : [process.execPath, node];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...env } });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => (live.delete(child), resolve())));

  const request = (msg: Record<string, unknown>, reply: string): Promise<Record<string, unknown>> =>
    new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`${name}: no ${reply} reply`)), 10_000);
      const on = (m: { type: string }): void => {
        if (m.type !== reply) return;
        child.off('message', on);
        clearTimeout(t);
        res(m);
      };
      child.on('message', on);
      child.send(msg);
    });
  return new Promise<ServerChild>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`${name}: not ready in 30 s\n${stderr}`))), 30_000);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${name} exited (${code}) before ready\n${stderr}`))));
    child.on('message', (m: { type: string; url?: string }) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve({
        name,
        url: m.url!,
        info: m,
        stats: () => request({ type: 'stats' }, 'stats') as Promise<unknown> as Promise<ChildStats>,
        request,
        stop: async () => {
          if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(kill);
        },
      });
    });
  });
}
