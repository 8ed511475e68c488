/**
 * `signpost cp` end to end, in-process against the real gateway and embedded store: a 300 MB
 * file in 38 parts, 4 at a time, downloads back with the same sha256; a resume sends only the
 * parts storage lacks (or holds with other bytes); progress lines on a non-TTY stderr.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { cp, upload } from '../../src/cli/cp';
import { captureIo } from '../support/capture-io';
import { alice, startHarness, type Harness } from './harness';

const MIB = 1024 * 1024;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function writeRandomFile(path: string, size: number): Promise<void> {
  const f = await open(path, 'w');
  const block = randomBytes(4 * MIB);
  for (let at = 0, i = 0; at < size; at += block.length, i++) {
    block.writeUInt32BE(i, 0); // every block differs
    await f.write(block, 0, Math.min(block.length, size - at), at);
  }
  await f.close();
}

describe('signpost cp', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 30_000);
  afterAll(async () => h?.stop());

  it('uploads 300 MB in parallel parts and downloads it back with the same sha256', async () => {
    const src = join(h.dir, 'big.bin');
    const dst = join(h.dir, 'big.back');
    await writeRandomFile(src, 300 * MIB);
    const io = captureIo({ SIGNPOST_TOKEN: alice.key });
    const started = Date.now();
    expect(await cp([src, `${h.url}/files/home/alice/big.bin`], io)).toBe(0);
    const seconds = (Date.now() - started) / 1000;
    expect(JSON.parse(io.out())).toMatchObject({ key: 'home/alice/big.bin', size: 300 * MIB });
    expect(io.err()).toMatch(/upload id: \S+/);
    expect(io.err()).toMatch(/100%/);
    process.stderr.write(`cp upload 300 MiB: ${seconds.toFixed(1)} s, ${(300 / seconds).toFixed(0)} MiB/s\n`);

    const down = captureIo();
    expect(await cp(['--key', alice.key, `${h.url}/files/home/alice/big.bin`, dst], down)).toBe(0);
    expect(await sha256File(dst)).toBe(await sha256File(src));
  }, 90_000);

  it('resumes: parts already in storage with the same bytes are skipped, others sent again', async () => {
    const src = join(h.dir, 'resume.bin');
    await writeRandomFile(src, 20 * MIB + 5); // 8 + 8 + 4 MiB
    const url = `${h.url}/files/home/alice/resume.bin`;
    const auth = { authorization: `Bearer ${alice.key}` };
    const created = (await (await fetch(`${url}?uploads`, { method: 'POST', headers: { ...auth, 'x-upload-length': String(20 * MIB + 5) } })).json()) as {
      uploadId: string;
      parts: { url: string }[];
    };
    const f = await open(src, 'r');
    const first = Buffer.alloc(8 * MIB);
    await f.read(first, 0, first.length, 0);
    await f.close();
    expect((await fetch(created.parts[0]!.url, { method: 'PUT', body: first })).status).toBe(200);
    expect((await fetch(created.parts[1]!.url, { method: 'PUT', body: Buffer.alloc(8 * MIB) })).status).toBe(200); // wrong bytes

    const io = captureIo();
    const done = await upload({ file: src, url, token: alice.key, parallel: 4, quiet: false, io, resume: created.uploadId });
    expect(done).toMatchObject({ sent: 2, skipped: 1, result: { size: 20 * MIB + 5 } });
    const dst = join(h.dir, 'resume.back');
    expect(await cp(['--token', alice.key, '--quiet', url, dst], captureIo())).toBe(0);
    expect(await sha256File(dst)).toBe(await sha256File(src));
  }, 30_000);

  it('a small file is one part; a denied upload fails with the gateway\'s answer; usage errors exit 2', async () => {
    const src = join(h.dir, 'small.txt');
    writeFileSync(src, 'hello multipart\n');
    expect(await cp([src, `${h.url}/files/home/alice/small.txt`], captureIo({ SIGNPOST_TOKEN: alice.key }))).toBe(0);
    const back = await fetch(`${h.url}/files/home/alice/small.txt`, { headers: { authorization: `Bearer ${alice.key}` } });
    expect(await back.text()).toBe('hello multipart\n');

    const denied = captureIo();
    expect(await cp([src, `${h.url}/files/home/bob/small.txt`], denied)).toBe(1);
    expect(denied.err()).toMatch(/401/);
    expect(await cp([src, join(h.dir, 'x')], captureIo())).toBe(2);
  });
});
