/**
 * The multipart endpoints over real HTTP: the real gateway and embedded store (harness.ts), the
 * parts PUT straight to the presigned storage URLs. Policy at create (413, 415, 428, 403, 401),
 * list / complete / abort, and the checks Complete makes before it completes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { alice, bob, startHarness, type Harness } from './harness';

const MIB = 1024 * 1024;
interface Created {
  uploadId: string;
  partSize: number;
  partCount: number;
  parts: { partNumber: number; size: number; url: string }[];
  next?: string;
}

describe('multipart routes', () => {
  let h: Harness;
  const u = (key: string, q: string) => `${h.url}/files/${key}?${q}`;
  const as = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });
  const create = async (key: string, size: number, headers: Record<string, string> = {}) =>
    fetch(u(key, 'uploads'), { method: 'POST', headers: as(alice.key, { 'x-upload-length': String(size), ...headers }) });
  const putPart = async (url: string, body: Buffer) => {
    const res = await fetch(url, { method: 'PUT', body });
    expect(res.status).toBe(200);
    return res.headers.get('etag')!.replace(/"/g, '');
  };

  beforeAll(async () => {
    h = await startHarness();
  }, 30_000);
  afterAll(async () => h?.stop());

  it('create -> parts to storage -> list -> complete -> the object reads back', async () => {
    const data = randomBytes(9 * MIB + 123);
    const res = await create('home/alice/two.bin', data.length, { 'x-upload-content-type': 'application/x-test' });
    expect(res.status).toBe(201);
    const c = (await res.json()) as Created;
    expect(c).toMatchObject({ partSize: 8 * MIB, partCount: 2 });
    expect(c.parts.map((p) => p.size)).toEqual([8 * MIB, MIB + 123]);
    expect(c.next).toBeUndefined();
    const etags = [await putPart(c.parts[0]!.url, data.subarray(0, 8 * MIB)), await putPart(c.parts[1]!.url, data.subarray(8 * MIB))];

    const listed = (await (await fetch(u('home/alice/two.bin', `uploadId=${c.uploadId}`), { headers: as(alice.key) })).json()) as { parts: unknown[] };
    expect(listed.parts).toEqual([
      { partNumber: 1, etag: etags[0], size: 8 * MIB },
      { partNumber: 2, etag: etags[1], size: MIB + 123 },
    ]);
    const done = await fetch(u('home/alice/two.bin', `uploadId=${c.uploadId}`), {
      method: 'POST',
      headers: as(alice.key, { 'content-type': 'application/json', 'x-upload-length': String(data.length) }),
      body: JSON.stringify({ parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) }),
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ key: 'home/alice/two.bin', size: data.length });
    const back = await fetch(`${h.url}/files/home/alice/two.bin`, { headers: as(alice.key) });
    expect(back.headers.get('content-type')).toBe('application/x-test');
    expect(createHash('sha256').update(Buffer.from(await back.arrayBuffer())).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('a part URL signs its size: storage refuses a bigger body', async () => {
    const c = (await (await create('home/alice/signed.bin', 10)).json()) as Created;
    const res = await fetch(c.parts[0]!.url, { method: 'PUT', body: Buffer.alloc(11) });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('policy at create: 413 over maxSize, 428 create-only without If-None-Match, 403 without write, 401 anonymous', async () => {
    expect((await create('small/big.bin', 11 * 1000 * 1000)).status).toBe(413);
    expect((await create('home/alice/huge.bin', 6 * 1024 ** 4)).status).toBe(413); // over 5 TiB
    expect((await create('archive/a.bin', 10)).status).toBe(428);
    expect((await create('archive/a.bin', 10, { 'if-none-match': '*' })).status).toBe(201);
    const denied = await fetch(u('home/alice/x.bin', 'uploads'), { method: 'POST', headers: as(bob.key, { 'x-upload-length': '10' }) });
    expect(denied.status).toBe(403);
    expect((await fetch(u('home/alice/x.bin', 'uploads'), { method: 'POST', headers: { 'x-upload-length': '10' } })).status).toBe(401);
    expect((await fetch(u('home/alice/x.bin', 'uploads'), { method: 'POST', headers: as(alice.key) })).status).toBe(411);
  });

  it('listing, completing and aborting need write too', async () => {
    const c = (await (await create('home/alice/perm.bin', 10)).json()) as Created;
    for (const method of ['GET', 'DELETE']) {
      expect((await fetch(u('home/alice/perm.bin', `uploadId=${c.uploadId}`), { method, headers: as(bob.key) })).status).toBe(403);
    }
    const complete = await fetch(u('home/alice/perm.bin', `uploadId=${c.uploadId}`), { method: 'POST', headers: as(bob.key, { 'content-type': 'application/json' }), body: '{"parts":[]}' });
    expect(complete.status).toBe(403);
  });

  it('Complete refuses unknown parts and a size other than the declared one; abort ends the upload', async () => {
    const c = (await (await create('home/alice/ab.bin', 100)).json()) as Created;
    const etag = await putPart(c.parts[0]!.url, randomBytes(100));
    const complete = (body: unknown, size = '100') =>
      fetch(u('home/alice/ab.bin', `uploadId=${c.uploadId}`), { method: 'POST', headers: as(alice.key, { 'content-type': 'application/json', 'x-upload-length': size }), body: JSON.stringify(body) });
    expect((await complete({ parts: [{ partNumber: 1, etag: 'deadbeef' }] })).status).toBe(400);
    expect((await complete({ parts: [{ partNumber: 1, etag }] }, '99')).status).toBe(400);
    expect((await complete({ nope: 1 })).status).toBe(400);

    expect((await fetch(u('home/alice/ab.bin', `uploadId=${c.uploadId}`), { method: 'DELETE', headers: as(alice.key) })).status).toBe(204);
    const gone = await fetch(u('home/alice/ab.bin', `uploadId=${c.uploadId}`), { headers: as(alice.key) });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: 'no_such_upload' });
    expect((await fetch(`${h.url}/files/home/alice/ab.bin`, { headers: as(alice.key) })).status).toBe(404);
  });

  it('pages of part URLs are re-derived from X-Upload-Length and policy-checked again', async () => {
    const size = 100 * 1024 ** 3; // 100 GiB: 11 MiB parts, 9310 parts
    const res = await create('home/alice/big.bin', 1024 ** 3);
    const c = (await res.json()) as Created;
    const page = await fetch(u('home/alice/big.bin', `uploadId=${c.uploadId}&parts=2-3`), { headers: as(alice.key, { 'x-upload-length': String(size) }) });
    expect(page.status).toBe(413); // over the rule's 2GB
    const ok = await fetch(u('home/alice/big.bin', `uploadId=${c.uploadId}&parts=128-200`), { headers: as(alice.key, { 'x-upload-length': String(1024 ** 3) }) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Created).parts.map((p) => p.partNumber)).toEqual([128]);
    expect((await fetch(u('home/alice/big.bin', `uploadId=${c.uploadId}&parts=1-2000`), { headers: as(alice.key, { 'x-upload-length': String(1024 ** 3) }) })).status).toBe(400);
    await fetch(u('home/alice/big.bin', `uploadId=${c.uploadId}`), { method: 'DELETE', headers: as(alice.key) });
  });
});
