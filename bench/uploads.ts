/**
 * Part 4, uploads through a redirect, against the embedded store (a gateway child with the
 * store, data directory on the same disk as the source file):
 *   - `curl -L --upload-file` through the gateway vs the same curl PUT straight to a presigned
 *     URL of the same store (target ≥ 0.9), and the gateway must receive 0 body bytes (its
 *     server's socket bytesRead over the upload, and curl's size_upload on a non-following PUT);
 *   - the store's PUT and GET (to a file on the same disk) vs `cp` of the same file (≥ 0.5).
 * The gateway child is pinned to core 0 like every bench server (lib/child.ts). A second gateway
 * child, not pinned (as `cp`, curl and a real deployment are not: the store hashes large bodies
 * on a worker thread, which a pinned process cannot run beside its event loop), gets the same PUT
 * and GET in the same rounds. Also reported, to explain the ratios: each store process's CPU
 * seconds per GiB (all threads), node's single-core MD5 rate (the ETag), bare node:http servers
 * receiving the same PUT (with and without MD5), a GET into /dev/null (the store without curl's
 * own file writes), and a cp into memory freed seconds earlier (what a PUT writes into).
 * 1 GiB; 64 MiB under --smoke. Rounds interleave; medians. Files are removed afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SERVERS_DIR, startChild } from './lib/child';
import { API_KEY, gatewayEnv, largeUpload } from './lib/fixtures';
import { hasTaskset } from './lib/wrk';
import { fmt, median, table, verdict, type PartResult, type RunOptions } from './lib/stats';

const MiB = 1024 * 1024;
const COLD_PAUSE_MS = 6000; // > the 2 s after which Linux reports free pages to the hypervisor

/** Runs a command, returns seconds taken and stdout; throws on failure or after `limit` s. */
function timed(cmd: string, args: readonly string[], limit: number): { s: number; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: limit * 1000 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.filter((a) => !a.includes('Authorization')).join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return { s, out: r.stdout };
}

/** Node's MD5 on one core, MiB/s: the ceiling of any single PUT, whose ETag is an MD5 of every byte. */
function md5MiBps(): number {
  const chunk = randomBytes(MiB);
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const h = createHash('md5');
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 256; i++) h.update(chunk);
    h.digest();
    rates.push(256 / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return median(rates);
}

// A floor for the PUT rows: bare node:http receiving the same body on the same core as the store
// (core 0 when taskset exists), either discarding it or MD5-hashing it, with no disk and no
// signature. What node itself costs per byte here, measured in the same run.
const FLOOR_SERVER = `
const http = require('node:http');
const { createHash } = require('node:crypto');
const hash = process.argv[1] === 'md5';
http.createServer((req, res) => {
  const h = hash ? createHash('md5') : null;
  req.on('data', (c) => h && h.update(c));
  req.on('end', () => res.end(h ? h.digest('hex') : 'ok'));
}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); });
`;

interface FloorServer {
  readonly url: string;
  stop(): void;
}

function startFloor(mode: 'discard' | 'md5', onCore0: boolean): Promise<FloorServer> {
  const node = [process.execPath, '-e', FLOOR_SERVER, mode];
  const child = onCore0 ? spawn('taskset', ['-c', '0', ...node], { stdio: ['ignore', 'pipe', 'ignore'] }) : spawn(node[0] as string, node.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('floor server: no port in 10 s'))), 10_000);
    child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
    child.stdout.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${d.toString().trim()}/floor`, stop: () => child.kill('SIGKILL') });
    });
  });
}

interface Gateway {
  readonly url: string;
  /** User + system CPU of the whole process (every thread) so far, µs. */
  readonly cpuUs: () => Promise<number>;
  readonly stop: () => Promise<void>;
}

/**
 * The gateway child of lib/child.ts, minus the pinning: same file, same IPC protocol
 * (servers/harness.ts), any CPU. Killed if it is not ready in 30 s or does not stop in 10 s.
 */
function startUnpinnedGateway(env: NodeJS.ProcessEnv): Promise<Gateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(SERVERS_DIR, 'gateway.ts')], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ask = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('unpinned gateway: no stats reply')), 10_000);
      const on = (m: { type: string; cpuUs?: number }): void => {
        if (m.type !== 'stats') return;
        child.off('message', on);
        clearTimeout(t);
        resolve(m.cpuUs ?? NaN);
      };
      child.on('message', on);
      child.send({ type: 'stats' });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`unpinned gateway: not ready in 30 s\n${stderr}`))), 30_000);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`unpinned gateway exited (${code})\n${stderr}`))));
    child.on('message', (m: { type: string; url?: string }) => {
      if (m.type !== 'ready' || m.url === undefined) return;
      clearTimeout(timer);
      resolve({
        url: m.url,
        cpuUs: ask,
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

export async function runUploads(o: RunOptions): Promise<PartResult> {
  const { size, rounds, limitS: limit, base, file: src } = largeUpload(o.smoke, 'uploads');
  const auth = ['-H', `Authorization: Bearer ${API_KEY.key}`];
  const pinned = hasTaskset(); // lib/child.ts pins its children to core 0 when it can
  const gw = await startChild('gateway-embedded', 'gateway.ts', [], gatewayEnv(100, join(base, 'data')));
  const free = await startUnpinnedGateway(gatewayEnv(100, join(base, 'data-unpinned'))).catch(async (err: unknown) => {
    await gw.stop();
    throw err;
  });
  try {
    /** Non-following PUT: the 307 and the store's presigned URL, plus how much body curl sent the gateway. */
    const presignedPut = (gatewayUrl: string): { url: string; uploaded: number } => {
      const probe = timed('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_upload} %{redirect_url}', '-T', src, ...auth, `${gatewayUrl}/files/projects/p0/direct.bin`], limit).out.split(' ');
      const [status, uploaded, location] = [probe[0], Number(probe[1]), probe[2] ?? ''];
      if (status !== '307' || !location.startsWith('http')) throw new Error(`expected a 307 with a Location, got ${probe.join(' ')}`);
      return { url: location, uploaded };
    };
    const url = (name: string): string => `${gw.url}/files/projects/p0/${name}`;
    const { url: direct, uploaded: probeUpload } = presignedPut(gw.url);
    const { url: freeDirect } = presignedPut(free.url);
    const t = { viaGateway: [] as number[], direct: [] as number[], get: [] as number[], getNull: [] as number[], cp: [] as number[], cpSync: [] as number[], cpCold: [] as number[], putFree: [] as number[], getFree: [] as number[] };
    const cpu = { put: [] as number[], get: [] as number[], putFree: [] as number[], getFree: [] as number[] };
    let gatewayBody = 0;
    const out = join(base, 'out.bin');
    /** Runs `fn`, records its seconds in `secs` and the process's CPU seconds meanwhile in `cpus`. */
    const measure = async (cpuUs: () => Promise<number>, fn: () => number, secs: number[], cpus: number[]): Promise<void> => {
      const before = await cpuUs();
      secs.push(fn());
      cpus.push(((await cpuUs()) - before) / 1e6);
    };
    const pinnedCpu = async (): Promise<number> => (await gw.stats()).cpuUs;
    const putTo = (presigned: string) => (): number => timed('curl', ['-s', '-f', '-o', '/dev/null', '-T', src, presigned], limit).s;
    const getFrom = (gatewayUrl: string) => (): number => {
      const sec = timed('curl', ['-s', '-f', '-L', '-o', out, ...auth, `${gatewayUrl}/files/projects/p0/direct.bin`], limit).s;
      rmSync(out, { force: true });
      return sec;
    };
    putTo(direct)(); // warm-up: page cache, each store's first write
    putTo(freeDirect)();
    for (let r = 0; r < rounds; r++) {
      const measureDirect = (): Promise<void> => measure(pinnedCpu, putTo(direct), t.direct, cpu.put);
      if (r % 2 === 0) await measureDirect();
      const before = (await gw.stats()).bytesRead;
      t.viaGateway.push(timed('curl', ['-s', '-f', '-L', '-o', '/dev/null', '-T', src, ...auth, url('via.bin')], limit).s);
      gatewayBody = Math.max(gatewayBody, (await gw.stats()).bytesRead - before);
      if (r % 2 === 1) await measureDirect();
      await measure(pinnedCpu, getFrom(gw.url), t.get, cpu.get);
      t.getNull.push(timed('curl', ['-s', '-f', '-L', '-o', '/dev/null', ...auth, url('direct.bin')], limit).s);
      await measure(free.cpuUs, putTo(freeDirect), t.putFree, cpu.putFree);
      await measure(free.cpuUs, getFrom(free.url), t.getFree, cpu.getFree);
      t.cp.push(timed('cp', [src, out], limit).s);
      rmSync(out, { force: true });
      // The store fsyncs each object before answering (and hashes MD5 for the ETag); cp does neither.
      t.cpSync.push(timed('sh', ['-c', 'cp "$0" "$1" && sync "$1"', src, out], limit).s);
      rmSync(out, { force: true });
      // cp just above writes into memory freed a moment earlier (the previous rm); a store PUT
      // mostly writes into memory freed seconds earlier, which a VM with free page reporting has
      // handed back to the host by then. Same cp after such a pause:
      await new Promise((resolve) => setTimeout(resolve, COLD_PAUSE_MS));
      t.cpCold.push(timed('cp', [src, out], limit).s);
      rmSync(out, { force: true });
    }
    const floors = { discard: [] as number[], md5: [] as number[], freeDiscard: [] as number[], freeMd5: [] as number[] };
    for (const [mode, onCore0, xs] of [
      ['discard', true, floors.discard],
      ['md5', true, floors.md5],
      ['discard', false, floors.freeDiscard],
      ['md5', false, floors.freeMd5],
    ] as const) {
      if (onCore0 && !pinned) continue;
      const f = await startFloor(mode, onCore0);
      try {
        for (let r = 0; r < rounds; r++) xs.push(timed('curl', ['-s', '-f', '-o', '/dev/null', '-T', src, f.url], limit).s);
      } finally {
        f.stop();
      }
    }
    const md5 = md5MiBps();
    const mib = size / MiB;
    const mbps = (xs: number[]): number => mib / median(xs);
    const [via, dir, get, getNull, cp, cpSync, cpCold, putFree, getFree] = [t.viaGateway, t.direct, t.get, t.getNull, t.cp, t.cpSync, t.cpCold, t.putFree, t.getFree].map(mbps) as [number, number, number, number, number, number, number, number, number];
    const perGiB = (xs: number[]): string => `${(median(xs) / (mib / 1024)).toFixed(2)} s`;
    const ofCp = (x: number): string => `${(x / cp).toFixed(2)} of cp`;
    const core0 = pinned ? ' (pinned to core 0)' : '';
    const rows = [
      [`curl -L --upload-file through the gateway (307 → store)${core0}`, fmt(via), (via / dir).toFixed(2)],
      [`curl --upload-file straight to a presigned store URL${core0}`, fmt(dir), `1.00 (${ofCp(dir)}, ${(dir / cpSync).toFixed(2)} of cp+fsync)`],
      [`store GET via gateway redirect (curl -L -o file, same disk)${core0}`, fmt(get), ofCp(get)],
      [`store GET via gateway redirect into /dev/null (no client file writes)${core0}`, fmt(getNull), ofCp(getNull)],
      ['same PUT, store process not pinned', fmt(putFree), ofCp(putFree)],
      ['same GET (to a file), store process not pinned', fmt(getFree), ofCp(getFree)],
    ];
    if (pinned) {
      rows.push(
        ['floor: bare node:http on core 0 receiving the same PUT, discarding it', fmt(mbps(floors.discard)), ofCp(mbps(floors.discard))],
        ['floor: bare node:http on core 0 receiving it, MD5 of every byte (no disk)', fmt(mbps(floors.md5)), ofCp(mbps(floors.md5))],
      );
    }
    rows.push(
      ['floor: bare node:http not pinned, discarding the body', fmt(mbps(floors.freeDiscard)), ofCp(mbps(floors.freeDiscard))],
      ['floor: bare node:http not pinned, MD5 of every byte (no disk)', fmt(mbps(floors.freeMd5)), ofCp(mbps(floors.freeMd5))],
      ['cp of the same file, same disk', fmt(cp), '1.00 of cp'],
      ['cp + fsync of the copy (what the store guarantees)', fmt(cpSync), `${(cpSync / cp).toFixed(2)} of cp`],
      [`cp after a ${COLD_PAUSE_MS / 1000} s pause (into memory freed seconds earlier, like a PUT)`, fmt(cpCold), `${(cpCold / cp).toFixed(2)} of cp`],
    );
    return {
      title: `4. Uploads and the embedded store (${fmt(mib)} MiB file)`,
      table: table(['transfer', 'MiB/s (median)', 'ratio'], rows),
      notes: [
        `${rounds} interleaved round(s); page cache warm after the first.${o.smoke ? ' SMOKE run: 64 MiB instead of 1 GiB.' : ''} Gateway request bytes read during one -L upload: ${fmt(gatewayBody)} (headers only); non-following PUT size_upload: ${probeUpload}.`,
        `Store process CPU (all threads, median) per GiB: PUT ${perGiB(cpu.put)}, GET ${perGiB(cpu.get)}${pinned ? ' pinned' : ''}; PUT ${perGiB(cpu.putFree)}, GET ${perGiB(cpu.getFree)} not pinned. node MD5 on one core in this run: ${fmt(md5)} MiB/s, i.e. ${(1024 / md5).toFixed(2)} s of every GiB PUT is the ETag alone, and no single PUT can beat ${fmt(md5)} MiB/s.`,
        '`cp` copies inside the kernel (copy_file_range: no user-space copy, no hashing, no socket); curl -o writes what it receives in 4–12 KiB write(2)s.',
        `Against the cp after a pause: store PUT ${(dir / cpCold).toFixed(2)}×${core0}, ${(putFree / cpCold).toFixed(2)}× not pinned; GET ${(get / cpCold).toFixed(2)}×${core0}, ${(getFree / cpCold).toFixed(2)}× not pinned.`,
        verdict(via / dir >= 0.9, `through the gateway ≥ 0.9× direct: ${(via / dir).toFixed(2)}×`),
        verdict(gatewayBody < 4096 && probeUpload === 0, `gateway received 0 body bytes (${fmt(gatewayBody)} bytes read in all, < 4 KiB of headers; size_upload ${probeUpload})`),
        verdict(dir / cp >= 0.5, `store PUT ≥ 0.5× cp: ${(dir / cp).toFixed(2)}×${core0}; ${(putFree / cp).toFixed(2)}× not pinned`),
        verdict(get / cp >= 0.5, `store GET ≥ 0.5× cp: ${(get / cp).toFixed(2)}×${core0}; ${(getFree / cp).toFixed(2)}× not pinned`),
      ],
    };
  } finally {
    await Promise.all([gw.stop(), free.stop()]);
    rmSync(base, { recursive: true, force: true });
  }
}
