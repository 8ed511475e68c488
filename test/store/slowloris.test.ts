/**
 * The embedded store cannot be held open (issue 15.5): many connections reusing one presigned
 * PUT URL and trickling bytes, headers sent a byte at a time, and bodies that stop, are all cut
 * within bounded time; at most `maxUploads` bodies are received at once (the rest get 503
 * SlowDown with Retry-After); no temp file survives a cut or a client that dies mid-body; a slow
 * but real upload still lands. Limits are scaled down (about a second each) so the suite stays
 * short; the defaults are in src/store/limits.ts.
 */
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpDir } from '../../src/store/layout';
import { BUCKET, type Harness, randomBody, send, startHarness } from './helpers';

const LIMITS = { headersTimeoutMs: 1000, idleMs: 700, minBytesPerSecond: 2000, windowMs: 1500, maxUploads: 8 };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ limits: LIMITS });
});
afterAll(() => h.stop());

const tempFiles = (): string[] => readdirSync(tmpDir(h.dir));

/** Temp files are removed as the failed write unwinds, just after the socket closes: wait up to 3 s. */
async function noTempFilesLeft(): Promise<void> {
  for (let waited = 0; tempFiles().length > 0 && waited < 3000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(tempFiles()).toEqual([]);
}

interface Trickle {
  /** Everything the store wrote back, when it closed the connection. */
  readonly closed: Promise<{ raw: string; afterMs: number }>;
}

/** Opens a connection, writes `head`, then `drip` one byte at a time every `everyMs` (never ends by itself). */
function trickle(head: string, drip: string, everyMs: number): Trickle {
  const u = new URL(h.store.url);
  const started = Date.now();
  const socket = net.connect(Number(u.port), u.hostname, () => socket.write(head));
  let i = 0;
  const timer = setInterval(() => {
    if (socket.writable && i < drip.length) socket.write(drip[i++]!);
  }, everyMs);
  let raw = '';
  socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
  socket.on('error', () => undefined); // a reset is one way of being cut
  const closed = new Promise<{ raw: string; afterMs: number }>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ raw, afterMs: Date.now() - started });
    }),
  );
  return { closed };
}

async function putHead(key: string, length: number): Promise<string> {
  const url = new URL(await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: key })));
  return `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${length}\r\n\r\n`;
}

it('40 connections on one PUT URL, each sending 5 bytes a second: 8 are received and cut, 32 get 503 SlowDown; no temp file stays', async () => {
  const head = await putHead('slow/one-url.bin', 100_000);
  const conns = Array.from({ length: 40 }, () => trickle(head, 'x'.repeat(100_000), 200));
  await new Promise((r) => setTimeout(r, 300));
  expect(tempFiles().length).toBeLessThanOrEqual(LIMITS.maxUploads);
  const results = await Promise.all(conns.map((c) => c.closed));
  const slowDown = results.filter((r) => /^HTTP\/1\.1 503 /.test(r.raw));
  expect(slowDown).toHaveLength(40 - LIMITS.maxUploads);
  for (const r of slowDown) {
    expect(r.raw).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(r.raw).toMatch(/<Code>SlowDown<\/Code>/);
  }
  // The received ones were cut for being too slow: one rate window plus a poll, with margin.
  const cut = results.filter((r) => !/^HTTP\/1\.1 503 /.test(r.raw));
  expect(cut).toHaveLength(LIMITS.maxUploads);
  for (const r of cut) expect(r.afterMs).toBeLessThan(LIMITS.windowMs + 4000);
  await noTempFilesLeft();
  expect((await send({ method: 'HEAD', url: await h.sign(new HeadObjectCommand({ Bucket: BUCKET, Key: 'slow/one-url.bin' })) })).status).toBe(404);
}, 30_000);

it('a body that stops (a byte, then nothing) is cut after the idle limit: PUT, UploadPart and the Complete XML', async () => {
  const head = await putHead('slow/stopped.bin', 1000);
  const { UploadId } = await h.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'slow/parts.bin' }));
  const part = new URL(await h.sign(new UploadPartCommand({ Bucket: BUCKET, Key: 'slow/parts.bin', UploadId, PartNumber: 1 })));
  const partHead = `PUT ${part.pathname}${part.search} HTTP/1.1\r\nHost: ${part.host}\r\nContent-Length: 1000\r\n\r\n`;
  const done = new URL(await h.sign(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'slow/parts.bin', UploadId })));
  const completeHead = `POST ${done.pathname}${done.search} HTTP/1.1\r\nHost: ${done.host}\r\nContent-Length: 1000\r\n\r\n`;
  const conns = [...Array.from({ length: 4 }, () => trickle(head, 'x', 10)), trickle(partHead, 'x', 10), trickle(completeHead, '<', 10)];
  const results = await Promise.all(conns.map((c) => c.closed));
  for (const r of results) expect(r.afterMs).toBeLessThan(LIMITS.idleMs + 3000);
  await noTempFilesLeft();
}, 15_000);

it('POST Object (a browser form upload) counts toward the bound and is cut when it trickles, like a PUT', async () => {
  const u = new URL(h.store.url);
  const head = `POST /${BUCKET} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n`;
  const form = `--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nslow/form.bin\r\n--b\r\n${'x'.repeat(100_000)}`;
  const conns = Array.from({ length: LIMITS.maxUploads + 4 }, () => trickle(head, form, 200));
  const results = await Promise.all(conns.map((c) => c.closed));
  const slowDown = results.filter((r) => /^HTTP\/1\.1 503 /.test(r.raw));
  expect(slowDown).toHaveLength(4);
  for (const r of slowDown) expect(r.raw).toMatch(/<Code>SlowDown<\/Code>/);
  for (const r of results) expect(r.afterMs).toBeLessThan(LIMITS.windowMs + 4000);
  await noTempFilesLeft();
}, 30_000);

it('headers sent a byte at a time are cut by the headers timeout (408)', async () => {
  const conns = Array.from({ length: 20 }, () => trickle('', `GET /${BUCKET}/k HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(200)}`, 100));
  const results = await Promise.all(conns.map((c) => c.closed));
  for (const r of results) {
    expect(r.afterMs).toBeLessThan(LIMITS.headersTimeoutMs + 3000);
    expect(r.raw).toMatch(/^HTTP\/1\.1 408 /);
  }
}, 15_000);

it('once the slow ones are gone, uploads work again; a slow but real upload lands intact', async () => {
  // 48 KiB in 8 pieces every 400 ms: ~15 KB/s, far above the 2 KB/s minimum, 3 s in all.
  const body = randomBody(48 * 1024);
  const url = new URL(await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'slow/real.bin' })));
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(`PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`));
    let piece = 0;
    const timer = setInterval(() => {
      socket.write(body.subarray(piece * 6144, (piece + 1) * 6144));
      if (++piece === 8) clearInterval(timer);
    }, 400);
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(raw));
  });
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  const got = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'slow/real.bin' })) });
  expect(got.body.equals(body)).toBe(true);
}, 15_000);

it('a client that dies mid-body leaves no temp file and no object', async () => {
  // Half the body at once, then the client is gone.
  const url = new URL(await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'slow/died.bin' })));
  await new Promise<void>((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 1000000\r\n\r\n`);
      socket.write(randomBody(500_000), () => setTimeout(() => (socket.destroy(), resolve()), 200));
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  await noTempFilesLeft();
  const head404 = await send({ method: 'HEAD', url: await h.sign(new HeadObjectCommand({ Bucket: BUCKET, Key: 'slow/died.bin' })) });
  expect(head404.status).toBe(404);
});
