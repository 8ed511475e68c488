// The body hashers (src/store/hashing.ts): the worker hasher returns exactly what the inline one
// and a one-shot node:crypto hash return, whatever the chunking; it moves only buffers it is told
// it owns, and only whole ones; flow control lets a caller wait; a worker that goes away fails
// its jobs instead of hanging them, and the next job gets a new worker.
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { type DigestAlgorithm, type DigestValues, hashPool, inlineHasher } from '../../src/store/hashing';

const ALL: DigestAlgorithm[] = ['md5', 'sha256', 'sha1', 'crc32'];

function expected(body: Buffer): DigestValues {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0, 0);
  return {
    md5: createHash('md5').update(body).digest(),
    sha256: createHash('sha256').update(body).digest(),
    sha1: createHash('sha1').update(body).digest(),
    crc32: crc,
  };
}

/** `body` cut into chunks of the given sizes (cycled), each copied into a buffer of its own. */
function chunked(body: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const n = Math.min(sizes[i % sizes.length] as number, body.length - at);
    out.push(Buffer.from(body.subarray(at, at + n)));
    at += n;
  }
  return out;
}

beforeAll(() => hashPool.acquire());
afterAll(() => hashPool.release());

it.each([
  ['empty', 0, [1]],
  ['one byte', 1, [1]],
  ['odd chunks', 3 * 1024 * 1024 + 17, [65536, 1, 4095, 100000]],
  ['big chunks', 9 * 1024 * 1024, [1024 * 1024]],
])('%s: worker, inline and one-shot digests agree', async (_name, size, sizes) => {
  const body = randomBytes(size);
  const inline = inlineHasher(ALL);
  await inline.update(chunked(body, sizes));
  const worker = hashPool.hasher(ALL, true);
  for (const batch of chunked(body, sizes).map((c) => [c])) await worker.update(batch);
  const want = expected(body);
  expect(await inline.digest()).toEqual(want);
  expect(await worker.digest()).toEqual(want);
});

it('moves only whole buffers it owns; shared or borrowed bytes are copied and left intact', async () => {
  const own = Buffer.from(randomBytes(100_000));
  const whole = new Uint8Array(own.buffer, own.byteOffset, own.byteLength);
  const backing = Buffer.from(randomBytes(200_000));
  const part = backing.subarray(1000, 51_000); // a view of a larger buffer: never moved
  const borrowed = Buffer.from(randomBytes(70_000));
  const body = Buffer.concat([whole, part, borrowed]);

  const owner = hashPool.hasher(['md5'], true);
  await owner.update([whole, part]);
  expect(whole.byteLength).toBe(0); // moved to the worker
  expect(part.byteLength).toBe(50_000);
  expect(backing.byteLength).toBe(200_000);
  const lender = hashPool.hasher(['md5'], false);
  await lender.update([borrowed]);
  expect(borrowed.byteLength).toBe(70_000);
  await owner.update([borrowed]);
  expect((await owner.digest()).md5).toEqual(createHash('md5').update(body).digest());
  lender.dispose();
});

it('makes a caller that runs ahead wait until the worker catches up', async () => {
  const h = hashPool.hasher(['md5'], true);
  const chunks = Array.from({ length: 12 }, () => Buffer.alloc(1024 * 1024, 7));
  const md5 = createHash('md5');
  for (const c of chunks) md5.update(c);
  const waited = h.update(chunks); // 12 MiB queued at once: over the limit
  expect(waited).toBeInstanceOf(Promise);
  await waited;
  expect((await h.digest()).md5).toEqual(md5.digest());
});

it('a worker that goes away fails its jobs; the next job gets a new worker', async () => {
  hashPool.acquire(); // a second user, so the release below stops the threads but keeps the pool in use
  const h = hashPool.hasher(['md5'], false);
  await h.update([Buffer.alloc(1000)]);
  await hashPool.release(); // users 2 -> 1: nothing stops
  const stillThere = hashPool.hasher(['md5'], false);
  await stillThere.update([Buffer.from('abc')]);
  expect((await stillThere.digest()).md5?.toString('hex')).toBe(createHash('md5').update('abc').digest('hex'));

  const orphan = hashPool.hasher(['md5'], false);
  await orphan.update([Buffer.alloc(1000)]);
  await hashPool.release(); // users 1 -> 0: threads stop under the running job
  await expect(orphan.digest()).rejects.toThrow(/hash worker/);
  h.dispose();
  hashPool.acquire(); // back to one user (afterAll releases it)
  const fresh = hashPool.hasher(['sha256'], false);
  await fresh.update([Buffer.from('abc')]);
  expect((await fresh.digest()).sha256?.toString('hex')).toBe(createHash('sha256').update('abc').digest('hex'));
});

it('without a store holding the pool, hashing happens inline', async () => {
  await hashPool.release();
  try {
    const h = hashPool.hasher(['md5'], true);
    const b = Buffer.from(randomBytes(1000));
    await h.update([b]);
    expect(b.byteLength).toBe(1000); // nothing moved: no worker involved
    expect((await h.digest()).md5).toEqual(createHash('md5').update(b).digest());
  } finally {
    hashPool.acquire();
  }
});
