// Object round trips through the real server with URLs from the reference presigner:
// sizes, tricky keys, ranges, stored/override headers, conditionals, CORS and safety headers.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { BUCKET, CREDENTIALS, REGION, type Harness, errorCode, randomBody, send, startHarness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

async function put(key: string, body: Buffer | string, headers: Record<string, string> = {}, bucket = BUCKET): Promise<ReturnType<typeof send>> {
  const url = await h.sign(new PutObjectCommand({ Bucket: bucket, Key: key }));
  return send({ method: 'PUT', url, body, headers });
}
async function get(key: string, headers: Record<string, string> = {}, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}): ReturnType<typeof send> {
  return send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra })), headers });
}

describe('round trips', () => {
  it.each([0, 1024, 3 * 1024 * 1024 + 7])('%d bytes: PUT, HEAD, GET, DELETE', async (size) => {
    const key = `sizes/${size}.bin`;
    const body = randomBody(size, size);
    const md5 = createHash('md5').update(body).digest('hex');
    const p = await put(key, body);
    expect(p.status).toBe(200);
    expect(p.headers.etag).toBe(`"${md5}"`);

    const head = await send({ method: 'HEAD', url: await h.sign(new HeadObjectCommand({ Bucket: BUCKET, Key: key })) });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(size));
    expect(head.headers['content-type']).toBe('binary/octet-stream');
    expect(head.headers.etag).toBe(`"${md5}"`);
    expect(new Date(head.headers['last-modified'] as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(head.body.length).toBe(0);

    const g = await get(key);
    expect(g.status).toBe(200);
    expect(g.body.equals(body)).toBe(true);
    expect(g.headers['accept-ranges']).toBe('bytes');
    expect(g.headers['x-content-type-options']).toBe('nosniff');
    expect(g.headers['content-security-policy']).toBe('sandbox');
    expect(g.headers['access-control-allow-origin']).toBe('*');
    expect(g.headers['access-control-expose-headers']).toContain('ETag');
    expect(g.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);

    const d = await send({ method: 'DELETE', url: await h.sign(new DeleteObjectCommand({ Bucket: BUCKET, Key: key })) });
    expect(d.status).toBe(204);
    const gone = await get(key);
    expect(gone.status).toBe(404);
    expect(errorCode(gone)).toBe('NoSuchKey');
    expect(gone.headers['content-type']).toBe('application/xml');
    expect(gone.body.toString()).toMatch(/<Error><Code>NoSuchKey<\/Code><Message>[^<]+<\/Message>.*<Resource>[^<]+<\/Resource><RequestId>[0-9A-F]{16}<\/RequestId><\/Error>/);
  });

  it('DELETE of a missing key is 204, HEAD of a missing key is 404 without a body', async () => {
    const d = await send({ method: 'DELETE', url: await h.sign(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-was' })) });
    expect(d.status).toBe(204);
    const head = await send({ method: 'HEAD', url: await h.sign(new HeadObjectCommand({ Bucket: BUCKET, Key: 'never-was' })) });
    expect(head.status).toBe(404);
    expect(head.body.length).toBe(0);
  });

  it('an unknown bucket is 404 NoSuchBucket', async () => {
    const url = await h.sign(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }));
    const r = await send({ method: 'GET', url });
    expect(r.status).toBe(404);
    expect(errorCode(r)).toBe('NoSuchBucket');
  });
});

const TRICKY_KEYS = [
  'plain.txt',
  'with space.txt',
  'plus+plus',
  'percent%41%2F%bad%file%name%',
  'hash#mark',
  'question?mark=1&and=2',
  "at@sign(1)'quoted'",
  'eq=sign;semi:colon,comma',
  '../../../../etc/passwd',
  '..',
  '.',
  'a/../b/./c',
  'b//e.txt',
  '/leading-slash',
  'trailing/slash/',
  'ünïcødé/日本語のファイル名.txt',
  'Кириллица/עברית',
  'emoji-😀-astral',
  '~tilde_under-dash.dot',
  'tab\tand\u0001control',
  'x'.repeat(300) + '/' + 'y'.repeat(300),
  'k'.repeat(1024),
  'é'.repeat(512),
];

describe('tricky keys round-trip exactly', () => {
  it.each(TRICKY_KEYS.map((k) => [JSON.stringify(k).slice(0, 60), k]))('%s', async (_label, key) => {
    const body = Buffer.from(`body of ${key}`);
    expect((await put(key, body)).status).toBe(200);
    const g = await get(key);
    expect(g.status).toBe(200);
    expect(g.body.equals(body)).toBe(true);
    const listed = await h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
    expect(listed.Contents?.map((c) => c.Key)).toContain(key);
  });

  it('refuses keys over 1024 UTF-8 bytes', async () => {
    const r = await put('é'.repeat(513), 'x');
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('KeyTooLongError');
  });
});

describe('ranges', () => {
  const body = randomBody(1000, 7);
  beforeAll(async () => {
    expect((await put('range.bin', body)).status).toBe(200);
  });

  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=990-', 990, 999],
    ['bytes=-100', 900, 999],
    ['bytes=-5000', 0, 999],
    ['bytes=500-5000', 500, 999],
    ['bytes=999-999', 999, 999],
  ])('%s', async (range, start, end) => {
    const r = await get('range.bin', { Range: range });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
    expect(r.headers['content-length']).toBe(String(end - start + 1));
    expect(r.body.equals(body.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0'])('%s is 416 with Content-Range bytes */size', async (range) => {
    const r = await get('range.bin', { Range: range });
    expect(r.status).toBe(416);
    expect(errorCode(r)).toBe('InvalidRange');
    expect(r.headers['content-range']).toBe('bytes */1000');
  });

  it.each(['bytes=0-1,5-6', 'bytes=9-1', 'pages=1-2'])('%s is ignored: whole object, 200', async (range) => {
    const r = await get('range.bin', { Range: range });
    expect(r.status).toBe(200);
    expect(r.body.equals(body)).toBe(true);
  });

  it('a range on an empty object is 416', async () => {
    expect((await put('empty', '')).status).toBe(200);
    const r = await get('empty', { Range: 'bytes=0-' });
    expect(r.status).toBe(416);
    expect(r.headers['content-range']).toBe('bytes */0');
  });
});

describe('headers', () => {
  it('keeps Content-Type, Content-Disposition and x-amz-meta-* (signed), and applies signed response-* overrides', async () => {
    const url = await h.sign(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'page.html', ContentType: 'text/html', ContentDisposition: 'inline', Metadata: { owner: 'alice' } }),
      { signableHeaders: new Set(['content-type']) },
    );
    const p = await send({ method: 'PUT', url, body: '<script>alert(1)</script>', headers: { 'Content-Type': 'text/html', 'Content-Disposition': 'inline' } });
    expect(p.status).toBe(200);
    const g = await get('page.html');
    expect(g.headers['content-type']).toBe('text/html');
    expect(g.headers['content-disposition']).toBe('inline');
    expect(g.headers['x-amz-meta-owner']).toBe('alice');
    expect(g.headers['content-security-policy']).toBe('sandbox');
    const o = await get('page.html', {}, { ResponseContentDisposition: `attachment; filename="a b.html"; filename*=UTF-8''%C3%BC.html`, ResponseContentType: 'text/plain' });
    expect(o.status).toBe(200);
    expect(o.headers['content-disposition']).toBe(`attachment; filename="a b.html"; filename*=UTF-8''%C3%BC.html`);
    expect(o.headers['content-type']).toBe('text/plain');
  });

  it('refuses an override that is not a valid header value', async () => {
    const r = await get('page.html', {}, { ResponseContentDisposition: 'attachment; filename="ü日.txt"' });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('InvalidArgument');
  });

  it('answers conditional GET/HEAD: If-None-Match 304, If-Match 412, If-Modified-Since 304', async () => {
    const p = await put('cond.txt', 'v1');
    const etag = p.headers.etag as string;
    expect((await get('cond.txt', { 'If-None-Match': etag })).status).toBe(304);
    expect((await get('cond.txt', { 'If-None-Match': '"other"' })).status).toBe(200);
    expect((await get('cond.txt', { 'If-Match': etag })).status).toBe(200);
    const pf = await get('cond.txt', { 'If-Match': '"other"' });
    expect(pf.status).toBe(412);
    expect(errorCode(pf)).toBe('PreconditionFailed');
    expect((await get('cond.txt', { 'If-Modified-Since': new Date(Date.now() + 60_000).toUTCString() })).status).toBe(304);
    expect((await get('cond.txt', { 'If-Unmodified-Since': new Date(Date.now() - 3_600_000).toUTCString() })).status).toBe(412);
  });

  it('Content-MD5 is verified (400 BadDigest, nothing stored)', async () => {
    const r = await put('md5.txt', 'hello', { 'Content-MD5': createHash('md5').update('HELLO').digest('base64') });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BadDigest');
    expect((await get('md5.txt')).status).toBe(404);
    const ok = await put('md5.txt', 'hello', { 'Content-MD5': createHash('md5').update('hello').digest('base64') });
    expect(ok.status).toBe(200);
  });

  it('a signed x-amz-checksum-crc32 is verified, like S3: the empty-body CRC a default presigner signs fails a real body', async () => {
    // A client with the SDK's default checksum settings signs the CRC32 of an empty body.
    const defaults = new S3Client({ endpoint: h.store.url, forcePathStyle: true, region: REGION, credentials: CREDENTIALS });
    const url = await getSignedUrl(defaults, new PutObjectCommand({ Bucket: BUCKET, Key: 'crc.txt' }), { expiresIn: 60 });
    defaults.destroy();
    expect(url).toContain('x-amz-checksum-crc32=AAAAAA');
    const bad = await send({ method: 'PUT', url, body: 'data' });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('BadDigest');
    expect((await get('crc.txt')).status).toBe(404);
    expect((await send({ method: 'PUT', url, body: '' })).status).toBe(200);
  });
});

describe('CORS', () => {
  it('answers a preflight from any origin, including null, without auth', async () => {
    const r = await send({
      method: 'OPTIONS',
      url: `${h.store.url}/${BUCKET}/some/key`,
      headers: { Origin: 'null', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type, if-none-match' },
    });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-methods']).toContain('PUT');
    expect(r.headers['access-control-allow-headers']).toBe('content-type, if-none-match');
  });

  it('refuses a preflight for a method it does not serve', async () => {
    const r = await send({ method: 'OPTIONS', url: `${h.store.url}/${BUCKET}/k`, headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'PATCH' } });
    expect(r.status).toBe(403);
  });
});
