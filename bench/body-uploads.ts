/**
 * Part 7, PUT bodies sent without `Expect: 100-continue` (src/body-uploads/): the two ways the
 * gateway can serve a write-then-read client, measured with the client they exist for, python
 * `requests` (Debian's /usr/bin/python3), doing `requests.put(URL, data=open(FILE, 'rb'))`:
 *   - direct: the same PUT straight to a presigned URL of the same store (from an upload
 *     ticket): the baseline, 1.00;
 *   - stream (the default): through the gateway, which pipes the body to the store;
 *   - redirect: the gateway reads and drops the whole body, answers 307, and requests re-sends
 *     the file to the store (it rewinds it).
 * Two gateway children with the embedded store (one per mode, same config otherwise; not pinned,
 * like the second gateway of bench/uploads.ts, so the store's hashing worker has a core), 1 GiB file (64 MiB under --smoke), rounds interleaved with a
 * rotating start. Each row once over loopback (the client's link is not the limit; CPU and disk
 * are) and once with the client reading its file at a fixed rate (25 MiB/s, a 210 Mbit/s uplink: the
 * client's link is the limit, as for a real user). Reported: median seconds, throughput ratio
 * to direct, body bytes over the client's link, and the gateway process's CPU per GiB (the
 * embedded store runs in it, so direct's CPU is the store's alone).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, type ServerChild } from './lib/child';
import { API_KEY, AUTH_HEADER, gatewayEnv, largeUpload } from './lib/fixtures';
import { fmt, median, table, verdict, type PartResult, type RunOptions } from './lib/stats';

const MiB = 1024 * 1024;
const PYTHON = '/usr/bin/python3';
/** 25 MiB/s (210 Mbit/s): a fast home or office uplink, and below what this machine's CPU caps a store PUT at. */
const LINK_BYTES_PER_SECOND = 25 * MiB;

// requests' own streaming of a file object; the wrapper only paces read() (and keeps tell/seek,
// so requests can rewind the body when it follows a 307).
const CLIENT = String.raw`
import os, sys, time, requests
url, path, rate, auth = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
class Paced:
    def __init__(self, f, size):
        self.f, self.size, self.t0, self.sent = f, size, None, 0
    def __len__(self):
        return self.size - self.f.tell()
    def __iter__(self):
        return iter(lambda: self.read(65536), b"")
    def read(self, n=-1):
        if self.t0 is None:
            self.t0, self.sent = time.monotonic(), 0
        chunk = self.f.read(n if n and n > 0 else 1 << 20)
        self.sent += len(chunk)
        ahead = self.sent / rate - (time.monotonic() - self.t0)
        if ahead > 0:
            time.sleep(ahead)
        return chunk
    def tell(self):
        return self.f.tell()
    def seek(self, *args):
        self.t0 = None
        return self.f.seek(*args)
with open(path, "rb") as f:
    body = Paced(f, os.path.getsize(path)) if rate > 0 else f
    headers = {"Authorization": auth} if auth else {}
    t = time.monotonic()
    r = requests.put(url, data=body, headers=headers)
    print(r.status_code, time.monotonic() - t, len(r.history))
`;

interface Upload {
  readonly seconds: number;
  readonly redirects: number;
  /** Bytes the gateway's sockets read meanwhile. */
  readonly gatewayBytes: number;
  /** Gateway process CPU meanwhile, µs. */
  readonly cpuUs: number;
}

async function upload(gw: ServerChild, url: string, file: string, rate: number, auth: string, limitS: number): Promise<Upload> {
  const before = await gw.stats();
  const r = spawnSync(PYTHON, ['-c', CLIENT, url, file, String(rate), auth], { encoding: 'utf8', timeout: limitS * 1000 });
  const after = await gw.stats();
  const [status, seconds, redirects] = r.stdout.trim().split(' ');
  if (r.status !== 0 || status !== '200') throw new Error(`python requests PUT failed (${r.status ?? r.signal}, HTTP ${status ?? '?'}): ${r.stderr.slice(-500)}`);
  return { seconds: Number(seconds), redirects: Number(redirects), gatewayBytes: after.bytesRead - before.bytesRead, cpuUs: after.cpuUs - before.cpuUs };
}

/** A presigned PUT URL of the store behind `gw`, from an upload ticket (no body through the gateway). */
async function presigned(gw: ServerChild, key: string, size: number): Promise<string> {
  const res = await fetch(`${gw.url}/files/projects/p0/${key}?upload`, { method: 'POST', headers: { ...AUTH_HEADER, 'X-Upload-Length': String(size), Accept: 'text/plain' } });
  if (res.status !== 200) throw new Error(`upload ticket: HTTP ${res.status}`);
  return (await res.text()).trim();
}

export async function runBodyUploads(o: RunOptions): Promise<PartResult> {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import requests']).status !== 0) throw new Error(`${PYTHON} with requests is needed (apt-get install python3-requests)`);
  const { size, rounds, limitS, base, file } = largeUpload(o.smoke, 'body-uploads');
  const auth = `Bearer ${API_KEY.key}`;
  // Not pinned: the store hashes large bodies on a worker thread, which a pinned process cannot run beside its event loop.
  const stream = await startChild('gateway-stream', 'gateway.ts', [], { ...gatewayEnv(100, join(base, 'data-stream')), SIGNPOST_BODY_UPLOADS: 'stream' }, [], false);
  const redirect = await startChild('gateway-redirect', 'gateway.ts', [], { ...gatewayEnv(100, join(base, 'data-redirect')), SIGNPOST_BODY_UPLOADS: 'redirect' }, [], false).catch(async (err: unknown) => {
    await stream.stop();
    throw err;
  });
  try {
    type Row = 'direct' | 'stream' | 'redirect';
    const runs: Record<string, Upload[]> = {};
    const one = async (row: Row, rate: number): Promise<void> => {
      const gw = row === 'redirect' ? redirect : stream;
      const url = row === 'direct' ? await presigned(stream, 'direct.bin', size) : `${gw.url}/files/projects/p0/${row}.bin`;
      (runs[`${row}@${rate}`] ??= []).push(await upload(gw, url, file, rate, row === 'direct' ? '' : auth, limitS));
    };
    const order: Row[] = ['direct', 'stream', 'redirect'];
    for (const rate of [0, LINK_BYTES_PER_SECOND]) await one('direct', rate); // warm-up: page cache, first writes
    for (let r = 0; r < rounds; r++) {
      for (const rate of [0, LINK_BYTES_PER_SECOND]) {
        for (let i = 0; i < order.length; i++) await one(order[(i + r) % order.length]!, rate);
      }
    }
    const rows: string[][] = [];
    const ratios: Record<string, number> = {};
    for (const rate of [0, LINK_BYTES_PER_SECOND]) {
      const directS = median(runs[`direct@${rate}`]!.map((u) => u.seconds));
      for (const row of order) {
        const us = runs[`${row}@${rate}`]!;
        const s = median(us.map((u) => u.seconds));
        // Over the client's link: what the gateway read, plus what went straight to the store.
        const linkBytes = median(us.map((u) => (row === 'stream' ? u.gatewayBytes : row === 'redirect' ? u.gatewayBytes + size : size)));
        const cpuPerGiB = median(us.map((u) => u.cpuUs)) / 1e6 / (size / 1024 / MiB);
        ratios[`${row}@${rate}`] = directS / s;
        rows.push([
          `${row === 'direct' ? 'direct to a presigned store URL' : row === 'stream' ? 'through the gateway, bodyUploads: stream' : 'through the gateway, bodyUploads: redirect (307, requests re-sends)'}, ${rate === 0 ? 'loopback' : `client at ${fmt((rate * 8) / 1e6)} Mbit/s`}`,
          `${median(us.map((u) => u.seconds)).toFixed(2)} s`,
          fmt(size / MiB / s),
          (directS / s).toFixed(2),
          `${(linkBytes / size).toFixed(2)}×`,
          `${cpuPerGiB.toFixed(2)} s`,
          String(Math.max(...us.map((u) => u.redirects))),
        ]);
      }
    }
    const paced = `@${LINK_BYTES_PER_SECOND}`;
    return {
      title: `7. PUT without Expect from python requests (${fmt(size / MiB)} MiB file)`,
      table: table(['upload', 'time (median)', 'MiB/s', 'ratio to direct', 'body bytes over the client link', 'gateway+store CPU / GiB', 'redirects followed'], rows),
      notes: [
        `${rounds} interleaved round(s) after a warm-up; one gateway child per mode, each with its embedded store; nothing pinned.${o.smoke ? ' SMOKE run: 64 MiB instead of 1 GiB.' : ''}`,
        'Body bytes over the client link: the gateway\'s socket bytesRead during the upload, plus the file size when the body went (again) straight to the store.',
        verdict(ratios[`stream${paced}`]! >= 0.9, `stream ≥ 0.9× direct with the client's link the limit: ${ratios[`stream${paced}`]!.toFixed(2)}× (redirect: ${ratios[`redirect${paced}`]!.toFixed(2)}×)`),
        verdict(ratios['stream@0']! > ratios['redirect@0']!, `stream faster than redirect over loopback: ${ratios['stream@0']!.toFixed(2)}× vs ${ratios['redirect@0']!.toFixed(2)}× of direct`),
      ],
    };
  } finally {
    await Promise.all([stream.stop(), redirect.stop()]);
    rmSync(base, { recursive: true, force: true });
  }
}
