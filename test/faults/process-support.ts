/**
 * The real server as a child process (`node dist/cli.js serve`, built once by the caller with
 * `node scripts/build.mjs --quiet`): PORT=0 and SIGNPOST_STORE_PORT=0, addresses read from the
 * start-up banner on stderr. With SIGNPOST_BUCKET in `env` it serves that bucket (S3 mode) and
 * `storeUrl` is the configured endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly storeUrl: string;
  readonly stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** @param cli the built command (default dist/cli.js). */
export function startServerProcess(dataDir: string, env: Record<string, string> = {}, cli = resolve(ROOT, 'dist/cli.js')): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cli, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SIGNPOST_STORE_PORT: '0', SIGNPOST_DATA_DIR: dataDir, SIGNPOST_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 15 s:\n${err}`));
    }, 15_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const gw = /Signpost is listening on (http:\/\/\S+)/.exec(err);
      const store = env.SIGNPOST_BUCKET ? /storage: bucket (\S+)/.test(err) && (env.SIGNPOST_S3_ENDPOINT ?? '') : /embedded store at (http:\/\/\S+)/.exec(err)?.[1];
      if (gw?.[1] && typeof store === 'string') {
        clearTimeout(timer);
        resolveStart({ child, url: gw[1], storeUrl: store, stderr: () => err, exited });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it started:\n${err}`));
    });
  });
}
