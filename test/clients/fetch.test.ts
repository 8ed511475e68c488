/**
 * The client matrix for Node's built-in fetch (undici), as a user writes it: a Buffer body for
 * PUT (the gateway streams a body sent without Expect to storage, so no redirect is involved),
 * the 307 followed for GET, HEAD and DELETE. Plus the README's recipes for what undici cannot do:
 * - a stream body is sent chunked (no length), which storage refuses: give `content-length`;
 * - where the gateway does answer a PUT with 307 (bodyUploads: redirect, a body beyond its
 *   bounds, Lambda), undici fails to re-send a Buffer/Uint8Array body ("Cannot perform
 *   ArrayBuffer.prototype.slice on a detached ArrayBuffer"): send a Blob, which it re-sends.
 */
import { openAsBlob, createReadStream, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { SIZES, sha256File, startMatrix, type Matrix } from './harness';
import { clientMatrix, type Driver } from './drivers';

const ok = async (res: Response, status: number): Promise<Response> => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return res;
};

const fetchDriver: Driver = {
  name: 'node-fetch',
  tool: 'node',
  install: 'Node.js >= 20',
  put: async (url, file) => void (await ok(await fetch(url, { method: 'PUT', body: await readFile(file) }), 200)),
  get: async (url, out) => writeFileSync(out, Buffer.from(await (await ok(await fetch(url), 200)).arrayBuffer())),
  head: async (url) => Number((await ok(await fetch(url, { method: 'HEAD' }), 200)).headers.get('content-length')),
  delete: async (url) => void (await ok(await fetch(url, { method: 'DELETE' }), 204)),
};

clientMatrix(fetchDriver, (matrix) => {
  it.each(SIZES)('%s as a stream body: with an explicit content-length it uploads (without one it is chunked: 411)', async (_label, size) => {
    const m = matrix();
    const key = m.key('node-fetch-stream', size);
    const { path, sha256 } = m.source(size);
    const body = (): ReadableStream => Readable.toWeb(createReadStream(path)) as ReadableStream;
    const res = await fetch(m.url(key), { method: 'PUT', body: body(), duplex: 'half', headers: { 'content-length': String(statSync(path).size) } });
    expect(res.status).toBe(200);
    expect(await m.stored(key)).toBe(sha256);
    if (size > 0) {
      const chunked = await fetch(m.url(`${key}.chunked`), { method: 'PUT', body: body(), duplex: 'half' });
      expect(chunked.status).toBe(411);
    }
  });
});

describe('client: node-fetch, where the gateway redirects a PUT (bodyUploads: redirect)', () => {
  let m: Matrix;
  beforeAll(async () => {
    m = await startMatrix({ SIGNPOST_BODY_UPLOADS: 'redirect' });
  }, 60_000);
  afterAll(() => m?.stop());

  it.each(SIZES)('%s: a Blob body follows the 307 to storage (the workaround for the Buffer bug)', async (_label, size) => {
    const key = m.key('node-fetch-blob', size);
    const { path, sha256 } = m.source(size);
    const res = await fetch(m.url(key), { method: 'PUT', body: await openAsBlob(path) });
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(await m.stored(key)).toBe(sha256);
    const out = m.out(`blob-${size}`);
    writeFileSync(out, Buffer.from(await (await fetch(m.url(key))).arrayBuffer()));
    expect(await sha256File(out)).toBe(sha256);
  });
});
