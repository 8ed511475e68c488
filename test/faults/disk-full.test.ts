/**
 * A full disk in the middle of an upload into the embedded store: the write fails with ENOSPC
 * (simulated at the file-handle layer, since mounting a tiny filesystem needs privileges CI may
 * not have). The client gets a clean S3-style XML error, nothing partial is stored, the previous
 * version and other objects are untouched, no temp file is left, and the store keeps serving.
 */
import { readdir } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, errorCode, randomBody, send, startHarness, type Harness } from '../store/helpers';

let h: Harness;
let restore: (() => void) | undefined;

beforeAll(async () => {
  h = await startHarness();
});
afterEach(() => restore?.());
afterAll(async () => h.stop());

/** Makes every FileHandle write fail with ENOSPC once `budget` bytes have been written. */
async function diskFullAfter(budget: number): Promise<void> {
  const probe = await open(path.join(h.dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { writev: (...a: unknown[]) => Promise<unknown>; write: (...a: unknown[]) => Promise<unknown> };
  await probe.close();
  const { writev, write } = proto;
  let written = 0;
  const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
  proto.writev = function (this: unknown, buffers: unknown, ...rest: unknown[]) {
    const size = (buffers as Uint8Array[]).reduce((n, b) => n + b.length, 0);
    if (written + size > budget) return Promise.reject(full());
    written += size;
    return writev.call(this, buffers, ...rest);
  };
  proto.write = function (this: unknown, buffer: unknown, ...rest: unknown[]) {
    const size = (buffer as Uint8Array).length ?? 0;
    if (written + size > budget) return Promise.reject(full());
    written += size;
    return write.call(this, buffer, ...rest);
  };
  restore = () => {
    proto.writev = writev;
    proto.write = write;
  };
}

const put = async (key: string, body: Buffer) => send({ method: 'PUT', url: await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentLength: body.length })), headers: { 'content-length': String(body.length) }, body });
const get = async (key: string) => send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })) });

it('an upload that hits a full disk fails cleanly and leaves nothing behind', async () => {
  const before = randomBody(1000, 1);
  const neighbour = randomBody(2000, 2);
  expect((await put('report.bin', before)).status).toBe(200);
  expect((await put('neighbour.bin', neighbour)).status).toBe(200);

  await diskFullAfter(1024 * 1024);
  const res = await put('report.bin', randomBody(5 * 1024 * 1024, 3));
  restore?.();
  restore = undefined;

  expect(res.status).toBeGreaterThanOrEqual(500);
  expect(res.headers['content-type']).toMatch(/xml/);
  expect(errorCode(res)).toBeDefined();

  const old = await get('report.bin');
  expect(old.status).toBe(200);
  expect(Buffer.compare(old.body, before)).toBe(0);
  expect(Buffer.compare((await get('neighbour.bin')).body, neighbour)).toBe(0);
  expect(await readdir(path.join(h.dir, 'tmp'))).toEqual([]);

  // and the store keeps working once there is room again
  const after = randomBody(3000, 4);
  expect((await put('report.bin', after)).status).toBe(200);
  expect(Buffer.compare((await get('report.bin')).body, after)).toBe(0);
});
