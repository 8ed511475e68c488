/**
 * PUT bodies sent without `Expect: 100-continue` (src/body-uploads/), through the real server
 * and the embedded store, with a real write-then-read client (test/support/write-then-read.ts):
 * - `stream` (the default): the body goes once, through the gateway, to storage; the client
 *   gets storage's answer; refusals (the gateway's and storage's) are read by the client; a
 *   client that dies mid-body leaves no object and no temp file; the log says what happened and
 *   never holds a URL;
 * - the bounds: size, concurrency and time each fall back as documented;
 * - `redirect`: the 307, after the whole body was read and dropped;
 * - storage that cannot be reached: 502, read by the client.
 * Clients that send Expect keep 0 body bytes at the gateway: test/e2e/conformance.ts counts them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpDir } from '../../src/store/layout';
import type { Decide } from '../../src/policy/types';
import { startGateway, type TestGateway } from '../support/gateway';
import { rawRequest } from '../support/raw-http';
import { describeWith } from '../support/require-tool';
import { PYTHON, writeThenRead } from '../support/write-then-read';

const MB = 1_000_000;
/** The body write-then-read.ts sends: bytes 0..255 repeated. */
const patternSha256 = (size: number): string => {
  const h = createHash('sha256');
  const block = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let left = size; left > 0; left -= 256) h.update(left >= 256 ? block : block.subarray(0, left));
  return h.digest('hex');
};

async function download(gw: TestGateway, key: string): Promise<{ status: number; sha256: string }> {
  const first = await rawRequest(gw.url, 'GET', `/files/${key}`);
  if (first.status !== 307) return { status: first.status, sha256: '' };
  const res = await fetch(first.headers.location!);
  return { status: res.status, sha256: createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex') };
}

/** The log line of the last PUT of `path`. */
const lastPutLine = (gw: TestGateway, path: string): Record<string, unknown> =>
  JSON.parse(gw.logLines.filter((l) => l.includes('"msg":"request"') && l.includes('"method":"PUT"') && l.includes(`"path":"${path}"`)).at(-1) ?? '{}') as Record<string, unknown>;

async function noTempFiles(gw: TestGateway): Promise<void> {
  const dir = tmpDir(gw.dataDir);
  for (let waited = 0; existsSync(dir) && readdirSync(dir).length > 0 && waited < 3000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
}

/** Sends a PUT head with `length`, then `sendBytes` body bytes, one every `everyMs` (all at once when 0); resolves with what came back. */
function partialUpload(gw: TestGateway, key: string, length: number, sendBytes: number, everyMs: number, dieAfterMs?: number): Promise<string> {
  const { port } = new URL(gw.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`PUT /files/${key} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${length}\r\n\r\n`);
      if (everyMs === 0) socket.write(randomBytes(sendBytes));
    });
    let sent = 0;
    const timer = everyMs > 0 ? setInterval(() => sent++ < sendBytes && socket.writable && socket.write('x'), everyMs) : undefined;
    if (dieAfterMs !== undefined) setTimeout(() => socket.destroy(), dieAfterMs);
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(raw);
    });
  });
}

const denyInbox: Decide = (_p, _a, key) => (key.startsWith('inbox/') ? { effect: 'deny', reason: 'test', rule: 'no-inbox' } : { effect: 'allow', rule: 'open', constraints: {} });

describeWith(PYTHON, 'apt-get install python3')('bodyUploads: stream (the default)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ decide: denyInbox });
  });
  afterAll(() => gw?.stop());

  it('30 MB from a write-then-read client: storage answers 200 through the gateway, the bytes arrive once and intact', async () => {
    const size = 30 * MB;
    gw.resetBytes();
    const res = await writeThenRead(gw.url, 'PUT', '/files/s/thirty.bin', size, {}, { sndbuf: 256 * 1024, timeoutSeconds: 60 });
    expect({ status: res.status, error: res.error }).toEqual({ status: 200, error: undefined });
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(gw.bytesReceived()).toBeLessThan(size + 4096);
    expect(await download(gw, 's/thirty.bin')).toEqual({ status: 200, sha256: patternSha256(size) });
    expect(lastPutLine(gw, '/files/s/thirty.bin')).toMatchObject({ status: 200, body: 'streamed', bodyBytes: size });
  }, 90_000);

  it('0 B and 1 KB land the same way', async () => {
    for (const size of [0, 1000]) {
      const res = await writeThenRead(gw.url, 'PUT', `/files/s/small-${size}.bin`, size);
      expect(res.status).toBe(200);
      expect(await download(gw, `s/small-${size}.bin`)).toEqual({ status: 200, sha256: patternSha256(size) });
    }
  });

  it('a chunked body that turns out empty is a 0-byte upload; one with bytes gets 411', async () => {
    const send = (key: string, chunks: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(Number(new URL(gw.url).port), '127.0.0.1', () => socket.write(`PUT /files/${key} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}`));
        let raw = '';
        socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
        socket.on('close', () => resolve(raw));
      });
    expect(await send('s/chunked-empty.bin', '0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
    expect(await download(gw, 's/chunked-empty.bin')).toEqual({ status: 200, sha256: patternSha256(0) });
    const refused = await send('s/chunked-abc.bin', '3\r\nabc\r\n0\r\n\r\n');
    expect(refused).toMatch(/^HTTP\/1\.1 411 /);
    expect(refused).toMatch(/"error":"length_required"/);
  });

  it("the gateway's refusal of a 4 MB body is read by the client (401)", async () => {
    const res = await writeThenRead(gw.url, 'PUT', '/files/inbox/x.bin', 4 * MB);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthorized' });
  });

  it("storage's refusal is passed on and read by the client: create-only on an existing key gets storage's 412", async () => {
    expect((await writeThenRead(gw.url, 'PUT', '/files/s/once.bin', 1000, { 'If-None-Match': '*' })).status).toBe(200);
    const res = await writeThenRead(gw.url, 'PUT', '/files/s/once.bin', 4 * MB, { 'If-None-Match': '*' });
    expect(res.status).toBe(412);
    expect(res.body).toMatch(/<Code>PreconditionFailed<\/Code>/);
    expect(await download(gw, 's/once.bin')).toEqual({ status: 200, sha256: patternSha256(1000) });
  });

  it('a client that dies mid-body: no object, no temp file, logged as client_gone', async () => {
    const raw = await partialUpload(gw, 's/died.bin', 10 * MB, 3 * MB, 0, 300);
    expect(raw).toBe('');
    await noTempFiles(gw);
    expect((await download(gw, 's/died.bin')).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));
    expect(lastPutLine(gw, '/files/s/died.bin')).toMatchObject({ status: 499, aborted: true, body: 'client_gone' });
  });

  it('no log line holds a URL, a signature or a query string', () => {
    expect(gw.logLines.join('\n')).not.toMatch(/X-Amz-|Signature|https?:\/\/[^"]*\?/);
  });
});

describeWith(PYTHON, 'apt-get install python3')('bodyUploads: the bounds', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { SIGNPOST_BODY_UPLOADS_MAX_BYTES: '1MiB', SIGNPOST_BODY_UPLOADS_CONCURRENCY: '1', SIGNPOST_BODY_UPLOADS_TIMEOUT: '2' } });
  });
  afterAll(() => gw?.stop());

  it('over maxBytes: the plain 307 (the body read and dropped within the default 4 MiB), logged drained:too_large', async () => {
    const res = await writeThenRead(gw.url, 'PUT', '/files/b/big.bin', 2 * MB);
    expect(res.status).toBe(307);
    expect(res.body).toMatch(/^Redirecting to http:\/\/127\.0\.0\.1:\d+\/signpost\/b\/big\.bin\?/);
    expect(lastPutLine(gw, '/files/b/big.bin')).toMatchObject({ status: 307, body: 'drained:too_large' });
  });

  it('beyond the concurrency: the plain 307 while one body streams', async () => {
    const held = partialUpload(gw, 'b/held.bin', 1000, 5, 100);
    await new Promise((r) => setTimeout(r, 300));
    const res = await writeThenRead(gw.url, 'PUT', '/files/b/second.bin', 1000);
    expect(res.status).toBe(307);
    expect(lastPutLine(gw, '/files/b/second.bin')).toMatchObject({ body: 'drained:busy' });
    await held;
  });

  it('past the time bound: 408 body_timeout, no object, no temp file', async () => {
    const started = Date.now();
    const raw = await partialUpload(gw, 'b/slow.bin', 1000, 1000, 100);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(raw).toMatch(/^HTTP\/1\.1 408 /);
    expect(raw).toMatch(/"error":"body_timeout"/);
    await noTempFiles(gw);
    expect((await download(gw, 'b/slow.bin')).status).toBe(404);
    expect(lastPutLine(gw, '/files/b/slow.bin')).toMatchObject({ status: 408, body: 'cut:timeout' });
  }, 15_000);
});

describeWith(PYTHON, 'apt-get install python3')('bodyUploads: redirect', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { SIGNPOST_BODY_UPLOADS: 'redirect' } });
  });
  afterAll(() => gw?.stop());

  it('8 MB (past the default drain): the whole body is read and dropped, then the client reads the 307', async () => {
    gw.resetBytes();
    const res = await writeThenRead(gw.url, 'PUT', '/files/r/eight.bin', 8 * MB, {}, { sndbuf: 256 * 1024 });
    expect({ status: res.status, error: res.error, sent: res.sent }).toEqual({ status: 307, error: undefined, sent: 8 * MB });
    expect(gw.bytesReceived()).toBeGreaterThanOrEqual(8 * MB);
    expect(lastPutLine(gw, '/files/r/eight.bin')).toMatchObject({ status: 307, body: 'drained' });
    expect((await download(gw, 'r/eight.bin')).status).toBe(404); // nothing stored: the client must send it again
  });
});

describeWith(PYTHON, 'apt-get install python3')('bodyUploads: storage out of reach', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ s3: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'gone', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  });
  afterAll(() => gw?.stop());

  it('502 storage_error, read by the client', async () => {
    const res = await writeThenRead(gw.url, 'PUT', '/files/x.bin', MB);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'storage_error' });
    expect(lastPutLine(gw, '/files/x.bin')).toMatchObject({ status: 502, body: 'storage_failed' });
  });
});
