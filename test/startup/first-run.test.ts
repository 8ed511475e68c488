/**
 * What a person meets when starting Signpost, with real processes: `npm start` in a copy of
 * the project (its output as a terminal shows it: stdout and stderr on one pipe), SIGTERM sent
 * to npm itself, and start-ups that must fail with one clear line, exit 2 and nothing started.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCopy, runInTerminal, type BuiltCopy, type Terminal } from '../support/built-cli';
import { startGateway } from '../support/gateway';

let copy: BuiltCopy;
let dir: string;
beforeAll(() => {
  copy = buildCopy();
  dir = mkdtempSync(join(tmpdir(), 'signpost-startup-'));
  writeFileSync(join(dir, 'bad-policy.yaml'), 'version: 1\nrules:\n  - id: half\n    paths: ["x/**"]\n');
  writeFileSync(join(dir, 'policy.yaml'), 'version: 1\nrules:\n  - {id: all, paths: ["**"], actions: "*", principals: "*", effect: allow}\n');
}, 120_000);
const started: Terminal[] = [];
const run = (...args: Parameters<typeof runInTerminal>): Terminal => {
  const t = runInTerminal(...args);
  started.push(t);
  return t;
};
afterEach(() => {
  for (const t of started.splice(0)) t.killAll();
});
afterAll(() => {
  copy?.remove();
  rmSync(dir, { recursive: true, force: true });
});

const listening = (port = 0, host = '127.0.0.1'): Promise<Server> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, host, () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as { port: number }).port;
const freePort = async () => {
  const s = await listening();
  const port = portOf(s);
  await new Promise((r) => s.close(r));
  return port;
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const refused = (url: string) => fetch(`${url}/healthz`).then(() => false, () => true);

it('npm start: the banner comes before any log line, and SIGTERM to npm stops the server (the script ends in exec)', async () => {
  const data = join(dir, 'npm-start');
  const t = run('npm', ['start'], { cwd: copy.dir, env: { PORT: '0', SIGNPOST_STORE_PORT: '0', SIGNPOST_DATA_DIR: data } });
  const url = (await t.waitFor(/Signpost is listening on (http:\/\/\S+)/))[1]!;
  await t.waitFor(/share links .*are signed with a key generated at start/);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(existsSync(data)).toBe(true);

  const lines = t.output().split('\n');
  const banner = lines.findIndex((l) => l.startsWith('Signpost is listening on'));
  const firstLog = lines.findIndex((l) => l.startsWith('{'));
  // Before the banner only npm's own header; the log (every line of it JSON) only after it.
  expect(lines.slice(0, banner).filter((l) => l.trim() !== '' && !l.startsWith('> '))).toEqual([]);
  expect(lines[firstLog - 2]).toMatch(/^Stop with Ctrl-C\. The log follows/);
  expect(lines.slice(firstLog).filter((l) => l !== '' && !l.startsWith('{'))).toEqual([]);

  // npm's child is the server itself: `exec` replaced the shell that ran the script.
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(t.child.pid)], { encoding: 'utf8' }).trim().split('\n');
  expect(children).toEqual([expect.stringMatching(/^\s*\d+ node dist\/cli\.js serve$/)]);
  const server = Number(children[0]!.trim().split(' ')[0]);

  t.child.kill('SIGTERM');
  expect(await t.exit).toEqual({ code: 0, signal: null });
  // npm waited for the server itself to finish shutting down: nothing is left on the port.
  expect(alive(server)).toBe(false);
  expect(await refused(url)).toBe(true);
  expect(t.output()).toContain('"signal":"SIGTERM","msg":"shutting down"');
}, 120_000);

describe('a start-up that cannot work says why in one line, exits 2 and starts nothing', () => {
  it('the port is taken (EADDRINUSE)', async () => {
    const holder = await listening();
    try {
      const data = join(dir, 'in-use');
      const t = run(process.execPath, [copy.cli, 'serve'], { cwd: dir, env: { PORT: String(portOf(holder)), SIGNPOST_DATA_DIR: data } });
      expect(await t.exited).toEqual({ code: 2, signal: null });
      expect(t.output()).toBe(`signpost: the gateway cannot listen on 127.0.0.1:${portOf(holder)}: the port is already in use (another Signpost?); stop that process or set PORT to a free port\n`);
      expect(existsSync(data)).toBe(false); // the embedded store never started
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('the embedded store port is taken', async () => {
    const holder = await listening();
    try {
      const t = run(process.execPath, [copy.cli, 'serve'], { cwd: dir, env: { PORT: '0', SIGNPOST_STORE_PORT: String(portOf(holder)), SIGNPOST_DATA_DIR: join(dir, 'store-in-use') } });
      expect(await t.exited).toEqual({ code: 2, signal: null });
      expect(t.output()).toMatch(new RegExp(`^signpost: the embedded store cannot listen on 127\\.0\\.0\\.1:${portOf(holder)}: the port is already in use .* set SIGNPOST_STORE_PORT to a free port\\n$`));
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it.each([
    ['an invalid policy (the store never starts: no data directory)', { SIGNPOST_POLICY: 'bad-policy.yaml' }, /^signpost: invalid policy:\n( {2}- bad-policy\.yaml:.*\n)+$/],
    ['a host that does not resolve', { SIGNPOST_POLICY: 'policy.yaml', HOST: 'no-such-host.invalid' }, /^signpost: the gateway cannot listen on no-such-host\.invalid:\d+: HOST no-such-host\.invalid does not resolve to an address \(ENOTFOUND\); use an IP address, e\.g\. 127\.0\.0\.1 or ::1\n$/],
    ['a host with a scheme', { HOST: 'http://127.0.0.1' }, /^signpost: invalid configuration:\n {2}- HOST \(host\): must be a host name or an IP address/],
    ['SIGNPOST_FORCE_PATH_STYLE without a bucket', { SIGNPOST_FORCE_PATH_STYLE: 'false' }, /^signpost: invalid configuration:\n {2}- SIGNPOST_FORCE_PATH_STYLE \(storage\.forcePathStyle\): applies to S3 storage only, and no bucket is set: set SIGNPOST_BUCKET .* or unset it to use the embedded store\n$/],
  ])('%s', async (_what, env: Record<string, string>, message) => {
    const data = join(dir, 'refused');
    const storePort = await freePort();
    const t = run(process.execPath, [copy.cli, 'serve'], { cwd: dir, env: { PORT: '0', SIGNPOST_STORE_PORT: String(storePort), SIGNPOST_DATA_DIR: data, ...env } });
    expect(await t.exited).toEqual({ code: 2, signal: null });
    expect(t.output()).toMatch(message);
    expect(existsSync(data)).toBe(false);
  });
});

it("HOST='[::1]' (bracketed, as in a URL) listens on the IPv6 loopback", async () => {
  const probe = await listening(0, '::1').catch((err: NodeJS.ErrnoException) => err);
  if (probe instanceof Error) {
    // No IPv6 here: the configuration is still accepted, and the failure names HOST.
    await expect(startGateway({ env: { HOST: '[::1]' } })).rejects.toThrow(/HOST ::1|address family/);
    return;
  }
  await new Promise((r) => probe.close(r));
  const gw = await startGateway({ env: { HOST: '[::1]' } });
  try {
    expect(gw.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect(gw.running.runtime.store!.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
  } finally {
    await gw.stop();
  }
});
