/**
 * `signpost cp` as a person runs it, in a real process: `--help`, a usage error, and a
 * download interrupted in the middle (Ctrl-C, SIGTERM, SIGHUP) that must leave no partial file
 * behind. The download comes from the real gateway and embedded store, through a proxy that
 * slows storage's answer down so the signal arrives while bytes are still being written.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCopy, runInTerminal, type BuiltCopy, type Terminal } from '../support/built-cli';
import { startGateway, type TestGateway } from '../support/gateway';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';

let copy: BuiltCopy;
let dir: string;
let proxy: SlowProxy;
let gw: TestGateway;
const started: Terminal[] = [];
const run = (args: readonly string[], cwd: string): Terminal => {
  const t = runInTerminal(process.execPath, [copy.cli, ...args], { cwd, env: {} });
  started.push(t);
  return t;
};

beforeAll(async () => {
  copy = buildCopy();
  dir = mkdtempSync(join(tmpdir(), 'signpost-cp-interrupt-'));
  proxy = await startSlowProxy(2 * 1024 * 1024);
  const storePort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  gw = await startGateway({ env: { SIGNPOST_STORE_PORT: String(storePort), SIGNPOST_STORE_PUBLIC_URL: `http://127.0.0.1:${proxy.port}` } });
  proxy.target = { host: '127.0.0.1', port: storePort };
  const put = await fetch(`${gw.url}/files/big.bin`, { method: 'PUT', body: new Blob([randomBytes(32 * 1024 * 1024)]) });
  expect(put.status).toBe(200);
}, 120_000);
afterEach(() => {
  for (const t of started.splice(0)) t.killAll();
});
afterAll(async () => {
  await gw?.stop();
  await proxy?.close();
  copy?.remove();
  rmSync(dir, { recursive: true, force: true });
});

it('cp --help prints the usage and exits 0; an unknown option is a usage error (exit 2)', async () => {
  const help = run(['cp', '--help'], dir);
  expect(await help.exited).toEqual({ code: 0, signal: null });
  expect(help.output()).toMatch(/^usage: signpost cp .*FILE URL \| URL FILE\n/);
  expect(help.output()).toContain('removed if the download fails or is interrupted');

  const wrong = run(['cp', '--nope', 'a', 'http://x/files/a'], dir);
  expect(await wrong.exited).toEqual({ code: 2, signal: null });
  expect(wrong.output()).toMatch(/^signpost cp: Unknown option '--nope'.*\nusage: signpost cp /);

  const other = run(['key', 'create', '--help'], dir);
  expect(await other.exited).toEqual({ code: 0, signal: null });
  expect(other.output()).toMatch(/^usage:\n/);
});

it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('a download interrupted by %s removes its partial file and exits 128+N', async (signal) => {
  const out = join(dir, signal);
  mkdirSync(out);
  const t = run(['cp', '--quiet', `${gw.url}/files/big.bin`, 'big.bin'], out);
  const partial = join(out, `big.bin.partial-${t.child.pid}`);
  // Wait until the download is really under way: its partial file holds some of the bytes.
  for (let i = 0; i < 600; i++) {
    const size = readdirSync(out).includes(`big.bin.partial-${t.child.pid}`) ? statSync(partial).size : 0;
    if (size >= 1024 * 1024) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(statSync(partial).size).toBeGreaterThanOrEqual(1024 * 1024);
  expect(statSync(partial).size).toBeLessThan(32 * 1024 * 1024);

  t.child.kill(signal);
  expect(await t.exited).toEqual({ code: 128 + constants.signals[signal], signal: null });
  expect(t.output()).toBe(`signpost cp: interrupted (${signal}); the partial download was removed\n`);
  expect(readdirSync(out)).toEqual([]);
});
