// Bodies large enough to take the store's fast paths: hashed on a worker thread (writer.ts,
// hashing.ts) and read back through the reused-buffer sender (sendfile.ts). The same guarantees
// as for small bodies: the ETag is the body's MD5, every digest the client sends is verified
// (a mismatch stores nothing and leaves no temp file), ranges are exact across buffer
// boundaries, and a download cut short leaves the store serving.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { WORKER_MIN_BYTES } from '../../src/store/hashing';
import { BUCKET, CREDENTIALS, type Harness, errorCode, randomBody, send, Sha256, startHarness } from './helpers';

const MiB = 1024 * 1024;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const md5 = (b: Buffer, enc: 'hex' | 'base64' = 'hex'): string => createHash('md5').update(b).digest(enc);
const tmpFiles = async (): Promise<string[]> => readdir(path.join(h.dir, 'tmp'));

async function put(key: string, body: Buffer, headers: Record<string, string> = {}, input: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}): ReturnType<typeof send> {
  const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: key, ...input }));
  return send({ method: 'PUT', url, body, headers });
}
async function get(key: string, headers: Record<string, string> = {}): ReturnType<typeof send> {
  return send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })), headers });
}

it.each([WORKER_MIN_BYTES, 5 * MiB + 3, 9 * MiB - 1])('%d bytes: the ETag is the MD5 and GET returns every byte', async (size) => {
  const body = randomBody(size, size % 97);
  const p = await put(`big/${size}.bin`, body);
  expect(p.status).toBe(200);
  expect(p.headers.etag).toBe(`"${md5(body)}"`);
  const g = await get(`big/${size}.bin`);
  expect(g.status).toBe(200);
  expect(g.headers['content-length']).toBe(String(size));
  expect(g.body.equals(body)).toBe(true);
});

it('ranges across the sender’s buffer boundaries are exact', async () => {
  const body = randomBody(5 * MiB + 11, 5);
  expect((await put('big/ranges.bin', body)).status).toBe(200);
  for (const [first, last] of [
    [0, 0],
    [512 * 1024 - 1, 512 * 1024],
    [1234, 3 * MiB + 77],
    [2 * MiB, 4 * MiB + 5],
    [5 * MiB, 5 * MiB + 10],
  ] as const) {
    const r = await get('big/ranges.bin', { Range: `bytes=${first}-${last}` });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes ${first}-${last}/${body.length}`);
    expect(r.body.equals(body.subarray(first, last + 1))).toBe(true);
  }
  const tail = await get('big/ranges.bin', { Range: 'bytes=-700000' });
  expect(tail.body.equals(body.subarray(body.length - 700000))).toBe(true);
});

it('a wrong Content-MD5 on a large body is BadDigest: nothing stored, no temp file', async () => {
  const body = randomBody(6 * MiB, 8);
  const bad = await put('big/md5.bin', body, { 'Content-MD5': md5(randomBody(10), 'base64') });
  expect(bad.status).toBe(400);
  expect(errorCode(bad)).toBe('BadDigest');
  expect((await get('big/md5.bin')).status).toBe(404);
  expect(await tmpFiles()).toEqual([]);
  expect((await put('big/md5.bin', body, { 'Content-MD5': md5(body, 'base64') })).status).toBe(200);
});

it.each([
  ['CRC32', (b: Buffer) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(b) >>> 0, 0);
    return out.toString('base64');
  }],
  ['SHA1', (b: Buffer) => createHash('sha1').update(b).digest('base64')],
  ['SHA256', (b: Buffer) => createHash('sha256').update(b).digest('base64')],
] as const)('a signed x-amz-checksum-%s on a large body is verified', async (alg, sum) => {
  const body = randomBody(5 * MiB, 9);
  const key = `big/checksum-${alg}.bin`;
  const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: key, [`Checksum${alg}`]: sum(body) }));
  expect(url).toContain(`x-amz-checksum-${alg.toLowerCase()}=`); // signed into the URL, as a client would
  const bad = await put(key, body, {}, { [`Checksum${alg}`]: sum(randomBody(5)) });
  expect(bad.status).toBe(400);
  expect(errorCode(bad)).toBe('BadDigest');
  expect((await get(key)).status).toBe(404);
  const good = await put(key, body, {}, { [`Checksum${alg}`]: sum(body) });
  expect(good.status).toBe(200);
  expect(good.headers.etag).toBe(`"${md5(body)}"`);
  expect(await tmpFiles()).toEqual([]);
});


it('a large body that does not match the signed x-amz-content-sha256 is refused and not stored', async () => {
  const good = randomBody(5 * MiB, 10);
  const evil = Buffer.from(good);
  evil.writeUInt8(evil.readUInt8(evil.length - 1) ^ 1, evil.length - 1); // one bit, in the last chunk
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: false });
  const u = new URL(`${h.store.url}/${BUCKET}/big/sha.bin`);
  const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, headers: { host: u.host, 'content-length': String(good.length) }, body: good });
  const headers = signed.headers as Record<string, string>;
  const bad = await send({ method: 'PUT', url: u.toString(), headers, body: evil });
  expect(bad.status).toBe(400);
  expect(errorCode(bad)).toBe('XAmzContentSHA256Mismatch');
  expect((await get('big/sha.bin')).status).toBe(404);
  expect(await tmpFiles()).toEqual([]);
  const ok = await send({ method: 'PUT', url: u.toString(), headers, body: good });
  expect(ok.status).toBe(200);
  expect(ok.headers.etag).toBe(`"${md5(good)}"`);
});

it('concurrent large uploads each get their own digest', async () => {
  const bodies = Array.from({ length: 4 }, (_, i) => randomBody(4 * MiB + i * 1000, 20 + i));
  const results = await Promise.all(bodies.map((b, i) => put(`big/concurrent-${i}.bin`, b)));
  for (const [i, r] of results.entries()) {
    expect(r.status).toBe(200);
    expect(r.headers.etag).toBe(`"${md5(bodies[i] as Buffer)}"`);
    expect((await get(`big/concurrent-${i}.bin`)).body.equals(bodies[i] as Buffer)).toBe(true);
  }
});

it('downloads cut short at any point leave the store serving and the object intact', async () => {
  const body = randomBody(8 * MiB, 30);
  expect((await put('big/cut.bin', body)).status).toBe(200);
  const url = new URL(await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/cut.bin' })));
  // The store runs in this process: every object file it opened for a cut download must be closed again.
  const openFiles = (): number => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
  const before = openFiles();
  for (const cutAfter of [1, 600 * 1024, 3 * MiB]) {
    await new Promise<void>((resolve) => {
      const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false }, (res) => {
        let got = 0;
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (got >= cutAfter) {
            res.destroy();
            resolve();
          }
        });
      });
      req.on('error', () => resolve());
    });
  }
  const g = await get('big/cut.bin');
  expect(g.status).toBe(200);
  expect(g.body.equals(body)).toBe(true);
  for (let i = 0; i < 50 && openFiles() > before; i++) await new Promise((r) => setTimeout(r, 20));
  expect(openFiles()).toBeLessThanOrEqual(before);
});

it('a failing background datasync (the disk filling up at writeback) fails the upload: no 200, nothing stored', async () => {
  const before = randomBody(1000, 40);
  expect((await put('big/sync.bin', before)).status).toBe(200);
  const probe = await open(path.join(h.dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  await rm(path.join(h.dir, 'probe'));
  const { datasync } = proto;
  let calls = 0;
  proto.datasync = function () {
    calls++;
    return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, fdatasync'), { code: 'ENOSPC', errno: -28 }));
  };
  try {
    const res = await put('big/sync.bin', Buffer.alloc(65 * MiB, 7)); // over the store's 64 MiB background-sync step
    expect(calls).toBeGreaterThan(0);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(errorCode(res)).toBeDefined();
  } finally {
    proto.datasync = datasync;
  }
  expect((await get('big/sync.bin')).body.equals(before)).toBe(true);
  expect(await tmpFiles()).toEqual([]);
});
