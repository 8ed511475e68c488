/**
 * Throughput check (not a jest test): `npx tsx test/multipart/throughput.ts [MiB] [runs]`.
 * Uploads one file (default 300 MiB) through the harness (real gateway + embedded store, both in
 * this process) as a single `curl -L --upload-file` PUT and with `signpost cp` at parallel 1 and
 * 4, and prints the median seconds and MiB/s of each. Loopback only: it measures the gateway's
 * and the store's overhead, not a network.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { upload } from '../../src/cli/cp';
import { alice, startHarness } from './harness';

const MIB = 1024 * 1024;

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 300);
  const runs = Number(process.argv[3] ?? 3);
  const h = await startHarness();
  try {
    const src = join(h.dir, 'through.bin');
    const f = await open(src, 'w');
    const block = randomBytes(4 * MIB);
    for (let i = 0; i < mib / 4; i++) await f.write(block, 0, block.length, i * block.length);
    await f.close();
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), env: {} };
    const cases: [string, (i: number) => Promise<unknown>][] = [
      ['curl -L --upload-file (single PUT)', (i) => promisify(execFile)('curl', ['-sf', '-o', '/dev/null', '-L', '-H', `Authorization: Bearer ${alice.key}`, '--upload-file', src, `${h.url}/files/home/alice/curl-${i}.bin`])],
      ['signpost cp --parallel 1', (i) => upload({ file: src, url: `${h.url}/files/home/alice/p1-${i}.bin`, token: alice.key, parallel: 1, quiet: true, io })],
      ['signpost cp --parallel 4', (i) => upload({ file: src, url: `${h.url}/files/home/alice/p4-${i}.bin`, token: alice.key, parallel: 4, quiet: true, io })],
      // The CLI in its own process (as users run it), so it does not share the store's event loop.
      ['cp as a subprocess (tsx), parallel 4', (i) => promisify(execFile)('node', ['--import', 'tsx', 'src/cli/cp.ts', '--quiet', '--token', alice.key, src, `${h.url}/files/home/alice/sub-${i}.bin`])],
    ];
    for (const [name, run] of cases) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = process.hrtime.bigint();
        await run(i);
        times.push(Number(process.hrtime.bigint() - t) / 1e9);
      }
      const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      console.log(`${name.padEnd(36)} median ${median.toFixed(2)} s  ${(mib / median).toFixed(0)} MiB/s  (runs: ${times.map((s) => s.toFixed(2)).join(', ')})`);
    }
  } finally {
    await h.stop();
  }
}

void main();
