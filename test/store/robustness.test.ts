// Bad input never crashes the store or leaves an unhandled rejection: malformed URLs, auth
// parameters and raw bytes get clean 4xx answers, and clients vanishing mid-transfer are fine.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import http from 'node:http';
import net from 'node:net';
import { BUCKET, type Harness, errorCode, randomBody, send, startHarness } from './helpers';

let h: Harness;
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);
beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  h = await startHarness();
  const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
  expect((await send({ method: 'PUT', url, body: randomBody(8 * 1024 * 1024) })).status).toBe(200);
});
afterAll(async () => {
  await h.stop();
  process.off('unhandledRejection', onRejection);
});
afterEach(async () => {
  // The store still answers, and nothing was left unhandled.
  const r = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' })), headers: { Range: 'bytes=0-0' } });
  expect(r.status).toBe(206);
  expect(rejections).toEqual([]);
});

function rawExchange(bytes: string): Promise<string> {
  const u = new URL(h.store.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.end(bytes);
  });
}

it.each([
  ['malformed escape', 400, 'InvalidURI', '/test-bucket/%zz'],
  ['invalid UTF-8', 400, 'InvalidURI', '/test-bucket/%FF%FE'],
  ['malformed query', 400, 'InvalidArgument', '/test-bucket/k?a=%zz'],
  ['no auth', 403, 'AccessDenied', '/test-bucket/k'],
  ['v2 signature', 403, 'AccessDenied', '/test-bucket/k?AWSAccessKeyId=x&Signature=y&Expires=1'],
  ['partial query auth', 400, 'AuthorizationQueryParametersError', '/test-bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256'],
  ['bad date', 400, 'AuthorizationQueryParametersError', '/test-bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDSIGNPOSTTEST%2F20130230%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130230T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00'],
  ['bad credential', 400, 'AuthorizationQueryParametersError', '/test-bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=nonsense&X-Amz-Date=20130524T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00'],
  ['host not signed', 400, 'AuthorizationQueryParametersError', '/test-bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDSIGNPOSTTEST%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=range&X-Amz-Signature=00'],
])('%s -> %d %s', async (_label, status, code, path) => {
  const r = await send({ method: 'GET', url: `${h.store.url}${path}` });
  expect(r.status).toBe(status);
  expect(errorCode(r)).toBe(code);
});

it.each([
  ['AWS4-HMAC-SHA256 garbage'],
  ['AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00'],
  ['AWS AKID:sig'],
  ['Bearer token'],
])('Authorization: %s is refused cleanly', async (authorization) => {
  const r = await send({ method: 'GET', url: `${h.store.url}/${BUCKET}/k`, headers: { Authorization: authorization, 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  expect([400, 403]).toContain(r.status);
  expect(errorCode(r)).toBeDefined();
});

it('raw garbage, an absolute-form target and oversized headers get 400-class answers', async () => {
  expect(await rawExchange('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
  expect(await rawExchange(`GET http://evil.example/${BUCKET}/k HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
  expect(await rawExchange(`GET /${BUCKET}/k HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
  expect(await rawExchange(`PUT /${BUCKET}/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
});

it('a client that disconnects in the middle of a download does not disturb the store', async () => {
  const url = new URL(await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' })));
  await new Promise<void>((resolve) => {
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false }, (res) => {
      res.once('data', () => {
        res.destroy();
        resolve();
      });
    });
    req.on('error', () => resolve());
  });
  await new Promise((r) => setTimeout(r, 50));
});

it('an unknown Expect value gets 417 from node, not a crash', async () => {
  expect(await rawExchange(`PUT /${BUCKET}/k HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 417/);
});
