/**
 * A private copy of the project for tests that run the real command as a person does (`npm
 * start`, `node dist/cli.js`): package.json copied, src/, scripts/ and node_modules/ linked,
 * and dist/ built there by the real build script, so these tests never race other tests over
 * the repository's own dist/. Also: a child process whose stdout and stderr share one pipe, as
 * they do in a terminal, so tests see the order a person sees.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../..');

export interface BuiltCopy {
  readonly dir: string;
  /** dist/cli.js of the copy. */
  readonly cli: string;
  remove(): void;
}

export function buildCopy(): BuiltCopy {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-copy-'));
  copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  for (const name of ['src', 'scripts', 'node_modules']) symlinkSync(join(REPO, name), join(dir, name));
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: dir, stdio: 'inherit' });
  return { dir, cli: join(dir, 'dist', 'cli.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Terminal {
  readonly child: ChildProcess;
  /** Everything written so far, stdout and stderr interleaved as written. */
  output(): string;
  /** Resolves when the output matches (rejects if the process exits first or after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** When the process and everything holding its output are gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the process group it started in (its own), so nothing it left behind survives a failed test. */
  killAll(): void;
  /** When the process itself is gone (a child it leaves behind may still hold the output). */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `command args` with stdout and stderr on one pipe (`exec … 2>&1`: the pid is the command's own). */
export function runInTerminal(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): Terminal {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('sh', ['-c', `exec ${quoted} 2>&1`], { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let closed = false;
  // 'close', not 'exit': by then every byte the process wrote has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('close', (code, signal) => {
      closed = true;
      done({ code, signal });
    }),
  );
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const waitFor = (pattern: RegExp, ms = 60_000) =>
    new Promise<RegExpExecArray>((resolveMatch, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const m = pattern.exec(out);
        if (m) {
          clearInterval(poll);
          return resolveMatch(m);
        }
        if (closed || Date.now() - started > ms) {
          clearInterval(poll);
          reject(new Error(`no ${String(pattern)} in the output (${closed ? `exited ${child.exitCode ?? child.signalCode}` : 'still running'}):\n${out}`));
        }
      }, 50);
    });
  const killAll = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { child, output: () => out, waitFor, exited, exit, killAll };
}
