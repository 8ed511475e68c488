/**
 * Bodies the gateway does not want, sent by write-then-read clients (no `Expect: 100-continue`;
 * the whole body goes out before the answer is read), through a 4 KiB send buffer: the client
 * gets past its body only if the gateway really reads it. The answer must be readable for
 * bodies up to the drain limit (4 MiB); past it, the gateway drops the connection after reading
 * at most about the limit. The app answers with the redirect (the `redirect` body mode: no
 * streaming through to storage), so these are exactly the bytes dropped after a 307 or a refusal.
 */
import { createApp } from '../../src/app';
import { DEFAULT_DRAIN } from '../../src/http/discard-body';
import { allowAll, type Decide } from '../../src/policy/types';
import { memoryLogger } from '../support/memory-log';
import { unreachableS3 } from '../support/unreachable-s3';
import { listen } from '../support/raw-http';
import { describeWith } from '../support/require-tool';
import { PYTHON, writeThenRead } from '../support/write-then-read';

const MB = 1_000_000;
const backend = unreachableS3();
const denyInbox: Decide = (p, a, key) => (key.startsWith('inbox/') ? { effect: 'deny', reason: 'test', rule: 'no-inbox' } : allowAll(p, a, key));

describeWith(PYTHON, 'apt-get install python3')('a body sent without Expect, through a small send buffer', () => {
  let server: Awaited<ReturnType<typeof listen>>;
    let bytesRead = 0;

  beforeAll(async () => {
    const app = createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }], logger: memoryLogger().logger, urlTtl: 60, decide: denyInbox });
    server = await listen(app);
    server.server.on('connection', (s) => {
      s.once('close', () => (bytesRead += s.bytesRead));
    });
  });
  afterAll(() => server.close());

  it.each([0.1, 0.5, 1, 2, 3, 4].map((n) => n * MB))('PUT of %i bytes: the whole body is read and the client reads the 307', async (size) => {
    const res = await writeThenRead(server.url, 'PUT', '/files/up.bin', size);
    expect(res.error).toBeUndefined();
    expect(res.sent).toBe(size);
    expect(res.status).toBe(307);
    expect(res.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/b\/up\.bin\?/);
  });

  it.each(['GET', 'DELETE'])('%s with a 4 MB body: the client reads the 307', async (method) => {
    const res = await writeThenRead(server.url, method, '/files/x.bin', 4 * MB);
    expect({ status: res.status, error: res.error }).toEqual({ status: 307, error: undefined });
  });

  it('a refusal (401) of a 4 MB upload is read by the client too', async () => {
    const res = await writeThenRead(server.url, 'PUT', '/files/inbox/x.bin', 4 * MB);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthorized' });
  });

  it('past the limit the connection is dropped after reading about the limit, not the whole body', async () => {
    const before = bytesRead;
    const size = 64 * 1024 * 1024;
    const res = await writeThenRead(server.url, 'PUT', '/files/huge.bin', size, {}, { timeoutSeconds: 30 });
    expect(res.error).toMatch(/Reset|Broken ?pipe|BrokenPipe/i);
    expect(res.sent).toBeLessThan(size / 2);
    await new Promise((r) => setTimeout(r, 100));
    const read = bytesRead - before;
    expect(read).toBeGreaterThan(DEFAULT_DRAIN.bytes / 2);
    expect(read).toBeLessThan(DEFAULT_DRAIN.bytes + 8 * 1024 * 1024); // the limit plus what one poll interval lets through
  });
});
