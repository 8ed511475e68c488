/**
 * Part 4, uploads through a redirect, against the embedded store (a gateway child with the
 * store, data directory on the same disk as the source file):
 *   - `curl -L --upload-file` through the gateway vs the same curl PUT straight to a presigned
 *     URL of the same store (target ≥ 0.9), and the gateway must receive 0 body bytes (its
 *     server's socket bytesRead over the upload, and curl's size_upload on a non-following PUT);
 *   - the store's PUT and GET (to a file on the same disk) vs `cp` of the same file (≥ 0.5).
 * 1 GiB; 64 MiB under --smoke. Rounds interleave; medians. Files are removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startChild } from './lib/child';
import { API_KEY, gatewayEnv, tempDir } from './lib/fixtures';
import { fmt, median, table, verdict, type PartResult, type RunOptions } from './lib/stats';

const MiB = 1024 * 1024;

function makeFile(path: string, bytes: number): void {
  const chunk = randomBytes(MiB);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= MiB) writeSync(fd, chunk, 0, Math.min(MiB, left));
  } finally {
    closeSync(fd);
  }
}

/** Runs a command, returns seconds taken and stdout; throws on failure or after `limit` s. */
function timed(cmd: string, args: readonly string[], limit: number): { s: number; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: limit * 1000 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.filter((a) => !a.includes('Authorization')).join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return { s, out: r.stdout };
}

export async function runUploads(o: RunOptions): Promise<PartResult> {
  const size = o.smoke ? 64 * MiB : 1024 * MiB;
  const rounds = o.smoke ? 1 : 3;
  const limit = o.smoke ? 60 : 300;
  const base = tempDir('uploads');
  const src = join(base, 'source.bin');
  makeFile(src, size);
  const auth = ['-H', `Authorization: Bearer ${API_KEY.key}`];
  const gw = await startChild('gateway-embedded', 'gateway.ts', [], gatewayEnv(100, join(base, 'data')));
  try {
    const url = (name: string): string => `${gw.url}/files/projects/p0/${name}`;
    // Non-following PUT: the 307, the store's presigned URL, and how much body curl sent the gateway.
    const probe = timed('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_upload} %{redirect_url}', '-T', src, ...auth, url('direct.bin')], limit).out.split(' ');
    const [status, probeUpload, direct] = [probe[0], Number(probe[1]), probe[2] ?? ''];
    if (status !== '307' || !direct.startsWith('http')) throw new Error(`expected a 307 with a Location, got ${probe.join(' ')}`);
    const t = { viaGateway: [] as number[], direct: [] as number[], get: [] as number[], cp: [] as number[], cpSync: [] as number[] };
    let gatewayBody = 0;
    const out = join(base, 'out.bin');
    timed('curl', ['-s', '-f', '-o', '/dev/null', '-T', src, direct], limit); // warm-up: page cache, store's first write
    for (let r = 0; r < rounds; r++) {
      const putDirect = (): void => void t.direct.push(timed('curl', ['-s', '-f', '-o', '/dev/null', '-T', src, direct], limit).s);
      if (r % 2 === 0) putDirect();
      const before = (await gw.stats()).bytesRead;
      t.viaGateway.push(timed('curl', ['-s', '-f', '-L', '-o', '/dev/null', '-T', src, ...auth, url('via.bin')], limit).s);
      gatewayBody = Math.max(gatewayBody, (await gw.stats()).bytesRead - before);
      if (r % 2 === 1) putDirect();
      t.get.push(timed('curl', ['-s', '-f', '-L', '-o', out, ...auth, url('via.bin')], limit).s);
      rmSync(out, { force: true });
      t.cp.push(timed('cp', [src, out], limit).s);
      rmSync(out, { force: true });
      // The store fsyncs each object before answering (and hashes MD5 for the ETag); cp does neither.
      t.cpSync.push(timed('sh', ['-c', 'cp "$0" "$1" && sync "$1"', src, out], limit).s);
      rmSync(out, { force: true });
    }
    const mbps = (xs: number[]): number => size / MiB / median(xs);
    const [via, dir, get, cp, cpSync] = [mbps(t.viaGateway), mbps(t.direct), mbps(t.get), mbps(t.cp), mbps(t.cpSync)];
    const rows = [
      ['curl -L --upload-file through the gateway (307 → store)', fmt(via), (via / dir).toFixed(2)],
      ['curl --upload-file straight to a presigned store URL', fmt(dir), `1.00 (${(dir / cp).toFixed(2)} of cp, ${(dir / cpSync).toFixed(2)} of cp+fsync)`],
      ['store GET via gateway redirect (curl -L -o file, same disk)', fmt(get), (get / cp).toFixed(2) + ' of cp'],
      ['cp of the same file, same disk', fmt(cp), '1.00 of cp'],
      ['cp + fsync of the copy (what the store guarantees)', fmt(cpSync), `${(cpSync / cp).toFixed(2)} of cp`],
    ];
    return {
      title: `4. Uploads and the embedded store (${fmt(size / MiB)} MiB file)`,
      table: table(['transfer', 'MiB/s (median)', 'ratio'], rows),
      notes: [
        `${rounds} interleaved round(s); page cache warm after the first.${o.smoke ? ' SMOKE run: 64 MiB instead of 1 GiB.' : ''} Gateway request bytes read during one -L upload: ${fmt(gatewayBody)} (headers only); non-following PUT size_upload: ${probeUpload}.`,
        verdict(via / dir >= 0.9, `through the gateway ≥ 0.9× direct: ${(via / dir).toFixed(2)}×`),
        verdict(gatewayBody < 4096 && probeUpload === 0, `gateway received 0 body bytes (${fmt(gatewayBody)} bytes read in all, < 4 KiB of headers; size_upload ${probeUpload})`),
        verdict(dir / cp >= 0.5, `store PUT ≥ 0.5× cp: ${(dir / cp).toFixed(2)}×`),
        verdict(get / cp >= 0.5, `store GET ≥ 0.5× cp: ${(get / cp).toFixed(2)}×`),
      ],
    };
  } finally {
    await gw.stop();
    rmSync(base, { recursive: true, force: true });
  }
}
