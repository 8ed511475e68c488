/**
 * The client matrix for Node's built-in fetch (undici), as a user writes it: a Buffer body for
 * PUT (the gateway streams a body sent without Expect to storage, so no redirect is involved),
 * the 307 followed for GET, HEAD and DELETE. Plus the README's recipes for what undici cannot do:
 * - where the gateway answers a PUT with 307 (Lambda, bodyUploads: redirect, a body beyond its
 *   bounds), undici fails to re-send a Buffer/Uint8Array body ("Cannot perform
 *   ArrayBuffer.prototype.slice on a detached ArrayBuffer"): send a Blob, which it re-sends;
 * - a stream body is sent chunked (no length), which storage refuses: give `content-length`;
 *   and a stream cannot follow a redirect at all (the fetch spec): there, an upload ticket.
 */
import { createReadStream, openAsBlob, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { SIZES } from './harness';
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
  redirected: {
    how: 'recipe: a Blob body (fs.openAsBlob), which undici re-sends after the 307',
    put: async (url, file) => {
      const res = await ok(await fetch(url, { method: 'PUT', body: await openAsBlob(file) }), 200);
      if (!res.redirected) throw new Error('expected the PUT to follow a 307');
    },
  },
  get: async (url, out) => writeFileSync(out, Buffer.from(await (await ok(await fetch(url), 200)).arrayBuffer())),
  head: async (url) => Number((await ok(await fetch(url, { method: 'HEAD' }), 200)).headers.get('content-length')),
  delete: async (url) => void (await ok(await fetch(url, { method: 'DELETE' }), 204)),
};

/** A file as a web stream body, as `fetch(url, {body: stream, duplex: 'half'})` takes it. */
const streamOf = (path: string): ReadableStream => Readable.toWeb(createReadStream(path)) as ReadableStream;

clientMatrix(fetchDriver, (matrix) => {
  it.each(SIZES)('%s as a stream body: with an explicit content-length it uploads (without one it is chunked: 411)', async (_label, size) => {
    const m = matrix();
    const key = m.key('node-fetch-stream', size);
    const { path, sha256 } = m.source(size);
    const res = await fetch(m.url(key), { method: 'PUT', body: streamOf(path), duplex: 'half', headers: { 'content-length': String(statSync(path).size) } });
    expect(res.status).toBe(200);
    expect(await m.stored(key)).toBe(sha256);
    if (size > 0) {
      const chunked = await fetch(m.url(`${key}.chunked`), { method: 'PUT', body: streamOf(path), duplex: 'half' });
      expect(chunked.status).toBe(411);
    }
  });

  it.each(SIZES)('%s as a stream body where a PUT is redirected: it cannot follow the 307 (fetch spec); the upload ticket recipe works', async (_label, size) => {
    const m = matrix();
    const key = m.key('node-fetch-stream-redirected', size);
    const { path, sha256 } = m.source(size);
    const length = String(statSync(path).size);
    await expect(fetch(m.url(key, 'redirect'), { method: 'PUT', body: streamOf(path), duplex: 'half', headers: { 'content-length': length } })).rejects.toThrow(/fetch failed/);
    const ticket = await ok(await fetch(`${m.url(key, 'redirect')}?upload`, { method: 'POST', headers: { 'X-Upload-Length': length, Accept: 'text/plain' } }), 200);
    const res = await fetch((await ticket.text()).trim(), { method: 'PUT', body: streamOf(path), duplex: 'half', headers: { 'content-length': length } });
    expect(res.status).toBe(200);
    expect(await m.stored(key, 'redirect')).toBe(sha256);
  });
});
