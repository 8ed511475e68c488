/**
 * Faults around the real server process and its embedded store:
 * - SIGTERM during a slow upload (curl --limit-rate through the redirect): the upload finishes,
 *   the process exits 0, and new connections are refused;
 * - SIGTERM during an upload longer than the grace period: the process still exits 0, promptly,
 *   and the key holds no partial object;
 * - kill -9 in the middle of two 200 MB uploads: after a restart on the same data directory, a
 *   key holds its previous whole version and a key that had none is absent (never a partial body);
 * - concurrent PUTs of different bodies to one key leave exactly one of the whole bodies.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curl, curlStatus } from '../support/curl';
import { startGateway } from '../support/gateway';
import { describeWith } from '../support/require-tool';
import { ROOT, startServerProcess, type ServerProcess } from './process-support';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const s = connect(Number(port), hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
/** The body curl downloads, as a sha256, or the HTTP status when it is not 200. */
async function fetched(url: string): Promise<string> {
  const out = join(tmpdir(), `signpost-fetch-${process.pid}-${Date.now()}`);
  try {
    const status = await curlStatus(['-L', '-o', out, url]);
    return status === 200 ? sha(readFileSync(out)) : `status ${status}`;
  } finally {
    rmSync(out, { force: true });
  }
}

describeWith('curl', 'apt-get install curl')('process faults', () => {
  let dir: string;
  const started: ServerProcess[] = [];
  const start = async (dataDir: string, env: Record<string, string> = {}) => {
    const p = await startServerProcess(dataDir, env);
    started.push(p);
    return p;
  };

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'signpost-faults-'));
  });
  afterAll(() => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM during a slow upload: the upload completes, exit 0, new connections refused', async () => {
    const data = join(dir, 'graceful');
    const srv = await start(data);
    const body = Buffer.alloc(1024 * 1024, 7);
    const file = join(dir, 'one-mb');
    writeFileSync(file, body);
    // ~1 MB at 640 KB/s: about 1.6 s, inside the store's 2 s drain.
    const upload = curl(['-o', '/dev/null', '-w', '%{http_code}', '--limit-rate', '640K', '-L', '--upload-file', file, `${srv.url}/files/slow.bin`]);
    await sleep(400);
    srv.child.kill('SIGTERM');
    const [res, exit] = await Promise.all([upload, srv.exited]);
    expect(res.stdout).toBe('200');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await refused(srv.url)).toBe(true);
    expect(await refused(srv.storeUrl)).toBe(true);

    const again = await start(data);
    expect(await fetched(`${again.url}/files/slow.bin`)).toBe(sha(body));
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM during an upload longer than the grace period: bounded, exit 0, no partial object', async () => {
    const data = join(dir, 'bounded');
    const srv = await start(data, { SIGNPOST_SHUTDOWN_GRACE: '1' });
    const file = join(dir, 'four-mb');
    writeFileSync(file, Buffer.alloc(4 * 1024 * 1024, 9));
    // ~4 MB at 512 KB/s: 8 s, far past the grace period.
    const upload = curl(['-o', '/dev/null', '-w', '%{http_code}', '--limit-rate', '512K', '-L', '--upload-file', file, `${srv.url}/files/long.bin`]);
    await sleep(500);
    const t0 = Date.now();
    srv.child.kill('SIGTERM');
    const exit = await srv.exited;
    const took = Date.now() - t0;
    const res = await upload;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(6_000);
    expect(res.stdout).not.toBe('200');

    const again = await start(data);
    expect(await fetched(`${again.url}/files/long.bin`)).toBe('status 404');
    again.child.kill('SIGTERM');
    await again.exited;
  });

  it('kill -9 in the middle of two 200 MB uploads leaves the previous whole version, and no object where there was none', async () => {
    const data = join(dir, 'killed');
    const srv = await start(data);
    const v1 = Buffer.from('version one, whole');
    const small = join(dir, 'v1');
    writeFileSync(small, v1);
    expect(await curlStatus(['-L', '--upload-file', small, `${srv.url}/files/big.bin`])).toBe(200);

    const big = join(dir, 'two-hundred-mb');
    writeFileSync(big, Buffer.alloc(200 * 1024 * 1024, 1));
    // Two uploads at once, over the old version and to a key that never had one: 200 MB at
    // 50 MB/s is about 4 s each; killed after ~0.8 s, i.e. mid-body (checked below).
    const upload = (key: string) => curl(['-o', '/dev/null', '-w', '%{http_code} %{size_upload}', '--limit-rate', '50M', '-L', '--upload-file', big, `${srv.url}/files/${key}`]);
    const uploads = [upload('big.bin'), upload('fresh.bin')];
    await sleep(800);
    srv.child.kill('SIGKILL');
    expect(await srv.exited).toEqual({ code: null, signal: 'SIGKILL' });
    for (const u of uploads) {
      const [status, sent] = (await u).stdout.split(' ');
      expect(status).not.toBe('200');
      // Killed mid-body: some bytes had gone to storage, not all of them.
      expect(Number(sent)).toBeGreaterThan(0);
      expect(Number(sent)).toBeLessThan(200 * 1024 * 1024);
    }
    rmSync(big, { force: true });

    const again = await start(data);
    expect(await fetched(`${again.url}/files/big.bin`)).toBe(sha(v1));
    // And a key whose only upload was killed does not exist at all.
    expect(await fetched(`${again.url}/files/fresh.bin`)).toBe('status 404');
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  });

  it('concurrent PUTs to one key leave exactly one whole body', async () => {
    const gw = await startGateway();
    try {
      const bodies = Array.from({ length: 6 }, (_, i) => Buffer.alloc(3 * 1024 * 1024 + i, 65 + i));
      const files = bodies.map((b, i) => {
        const f = join(dir, `concurrent-${i}`);
        writeFileSync(f, b);
        return f;
      });
      const statuses = await Promise.all(files.map((f) => curlStatus(['-L', '--upload-file', f, `${gw.url}/files/race.bin`])));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const got = await fetched(`${gw.url}/files/race.bin`);
      expect(bodies.map(sha)).toContain(got);
    } finally {
      await gw.stop();
    }
  });
});
