// Signature enforcement through the real server: every way of bending a presigned URL fails
// with S3's error and leaves the object as it was; header auth from the SDK client works and
// is equally strict (payload hash, region, secret).
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { BUCKET, CREDENTIALS, type Harness, errorCode, makeClient, send, Sha256, startHarness } from './helpers';


let h: Harness;
const ORIGINAL = 'original body';
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(async () => {
  h.clock.offsetMs = 0;
  const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
  expect((await send({ method: 'PUT', url, body: ORIGINAL })).status).toBe(200);
});

async function victim(): Promise<string> {
  const r = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' })) });
  expect(r.status).toBe(200);
  return r.body.toString();
}

function setParam(url: string, name: string, value: string): string {
  return url.replace(new RegExp(`([?&]${name}=)[^&]*`), `$1${encodeURIComponent(value)}`);
}

describe('presigned URLs', () => {
  it('a tampered signature is 403 SignatureDoesNotMatch', async () => {
    const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
    const sig = /X-Amz-Signature=([0-9a-f]+)/.exec(url)?.[1] as string;
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    const r = await send({ method: 'PUT', url: setParam(url, 'X-Amz-Signature', flipped), body: 'evil' });
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('SignatureDoesNotMatch');
    expect(await victim()).toBe(ORIGINAL);
  });

  it('an edited X-Amz-Expires is 403, an over-long one 400', async () => {
    const url = await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }), { expiresIn: 60 });
    const longer = await send({ method: 'GET', url: setParam(url, 'X-Amz-Expires', '3600') });
    expect(longer.status).toBe(403);
    expect(errorCode(longer)).toBe('SignatureDoesNotMatch');
    const tooLong = await send({ method: 'GET', url: setParam(url, 'X-Amz-Expires', '604801') });
    expect(tooLong.status).toBe(400);
    expect(errorCode(tooLong)).toBe('AuthorizationQueryParametersError');
  });

  it('an expired URL is 403 AccessDenied "Request has expired"', async () => {
    const url = await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }), { expiresIn: 60 });
    h.clock.offsetMs = 59_000;
    expect((await send({ method: 'GET', url })).status).toBe(200);
    h.clock.offsetMs = 62_000;
    const r = await send({ method: 'GET', url });
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('AccessDenied');
    expect(r.body.toString()).toContain('<Message>Request has expired</Message>');
  });

  it('a URL signed in the future is not valid yet', async () => {
    const url = await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }), { signingDate: new Date(Date.now() + 3_600_000) });
    expect((await send({ method: 'GET', url })).status).toBe(403);
  });

  it.each(['PUT', 'DELETE', 'HEAD', 'POST'])('a GET URL used for %s is 403 and the object is unchanged', async (method) => {
    const url = await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
    const r = await send({ method, url, ...(method === 'PUT' || method === 'POST' ? { body: 'evil' } : {}) });
    expect(r.status).toBe(403);
    if (method !== 'HEAD') expect(errorCode(r)).toBe('SignatureDoesNotMatch');
    expect(await victim()).toBe(ORIGINAL);
  });

  it('a PUT URL used for GET, or for another key or bucket, is 403', async () => {
    const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
    expect((await send({ method: 'GET', url })).status).toBe(403);
    expect((await send({ method: 'PUT', url: url.replace('/victim.txt', '/victim.txt2'), body: 'x' })).status).toBe(403);
    expect((await send({ method: 'PUT', url: url.replace(`/${BUCKET}/`, '/other-bucket/'), body: 'x' })).status).toBe(403);
    expect((await send({ method: 'PUT', url: url.replace('/victim.txt', '/%76ictim.txt'), body: 'x' })).status).toBe(200); // same key, encoded differently
  });

  it('a signed Content-Length binds the body size', async () => {
    const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'victim.txt', ContentLength: 5 }));
    expect(url).toContain('content-length');
    const r = await send({ method: 'PUT', url, body: 'much longer body' });
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('SignatureDoesNotMatch');
    expect(await victim()).toBe(ORIGINAL);
    expect((await send({ method: 'PUT', url, body: '12345' })).status).toBe(200);
    expect(await victim()).toBe('12345');
  });

  it('a signed Content-Type must be sent, and sent unchanged', async () => {
    const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'victim.txt', ContentType: 'image/png' }), { signableHeaders: new Set(['content-type']) });
    expect((await send({ method: 'PUT', url, body: 'x', headers: { 'Content-Type': 'text/html' } })).status).toBe(403);
    expect((await send({ method: 'PUT', url, body: 'x' })).status).toBe(403);
    expect(await victim()).toBe(ORIGINAL);
    expect((await send({ method: 'PUT', url, body: 'png', headers: { 'Content-Type': 'image/png' } })).status).toBe(200);
  });

  it('a signed If-None-Match must be sent', async () => {
    const url = await h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: 'victim.txt', IfNoneMatch: '*' }));
    const r = await send({ method: 'PUT', url, body: 'x' });
    expect(r.status).toBe(403);
    expect(await victim()).toBe(ORIGINAL);
  });

  it('wrong secret, unknown access key, wrong region, no auth', async () => {
    const wrongSecret = makeClient(h.store.url, { ...CREDENTIALS, secretAccessKey: 'not-the-secret' });
    const unknownKey = makeClient(h.store.url, { ...CREDENTIALS, accessKeyId: 'AKIDUNKNOWN' });
    const wrongRegion = makeClient(h.store.url, CREDENTIALS, 'eu-west-1');
    const cmd = new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' });
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const a = await send({ method: 'GET', url: await getSignedUrl(wrongSecret, cmd) });
    const b = await send({ method: 'GET', url: await getSignedUrl(unknownKey, cmd) });
    const c = await send({ method: 'GET', url: await getSignedUrl(wrongRegion, cmd) });
    const d = await send({ method: 'GET', url: `${h.store.url}/${BUCKET}/victim.txt` });
    for (const cl of [wrongSecret, unknownKey, wrongRegion]) cl.destroy();
    expect([a.status, errorCode(a)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect([b.status, errorCode(b)]).toEqual([403, 'InvalidAccessKeyId']);
    expect([c.status, errorCode(c)]).toEqual([400, 'AuthorizationQueryParametersError']);
    expect([d.status, errorCode(d)]).toEqual([403, 'AccessDenied']);
  });

  it('a session token is covered by the signature', async () => {
    const withToken = makeClient(h.store.url, { ...CREDENTIALS, sessionToken: 'token-123' } as typeof CREDENTIALS);
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const url = await getSignedUrl(withToken, new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
    withToken.destroy();
    expect(url).toContain('X-Amz-Security-Token=token-123');
    expect((await send({ method: 'GET', url })).status).toBe(200);
    expect((await send({ method: 'GET', url: setParam(url, 'X-Amz-Security-Token', 'token-124') })).status).toBe(403);
    expect((await send({ method: 'GET', url: url.replace(/&?X-Amz-Security-Token=token-123/, '') })).status).toBe(403);
  });

  it('an added query parameter breaks the signature; an unsigned x-amz-* header is refused', async () => {
    const url = await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
    expect((await send({ method: 'GET', url: `${url}&response-content-type=text%2Fhtml` })).status).toBe(403);
    const r = await send({ method: 'GET', url, headers: { 'x-amz-server-side-encryption': 'AES256' } });
    expect(r.status).toBe(403);
    expect(r.body.toString()).toContain('HeadersNotSigned');
  });

  it('query auth and an Authorization header together are 400', async () => {
    const url = await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }));
    const r = await send({ method: 'GET', url, headers: { Authorization: 'Bearer x' } });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('InvalidArgument');
  });
});

describe('header auth (the SDK client)', () => {
  it('PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 work', async () => {
    await h.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/one.txt', Body: 'from the sdk', ContentType: 'text/plain' }));
    const got = await h.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/one.txt' }));
    expect(await got.Body?.transformToString()).toBe('from the sdk');
    expect(got.ContentType).toBe('text/plain');
    const head = await h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/one.txt' }));
    expect(head.ContentLength).toBe(12);
    const list = await h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'sdk/' }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(['sdk/one.txt']);
    await h.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'sdk/one.txt' }));
    await expect(h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/one.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('a wrong secret or region is refused', async () => {
    const wrong = makeClient(h.store.url, { ...CREDENTIALS, secretAccessKey: 'nope' });
    await expect(wrong.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    wrong.destroy();
    const region = makeClient(h.store.url, CREDENTIALS, 'eu-central-1');
    await expect(region.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'victim.txt' }))).rejects.toMatchObject({ name: 'AuthorizationHeaderMalformed' });
    region.destroy();
  });

  it('a body that does not match the signed x-amz-content-sha256 is 400 and not stored', async () => {
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: CREDENTIALS, sha256: Sha256, uriEscapePath: false });
    const u = new URL(`${h.store.url}/${BUCKET}/victim.txt`);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: u.pathname,
      headers: { host: u.host, 'content-length': '4' },
      body: 'good',
    });
    const headers = signed.headers as Record<string, string>;
    expect(headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const bad = await send({ method: 'PUT', url: u.toString(), headers, body: 'evil' });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('XAmzContentSHA256Mismatch');
    expect(await victim()).toBe(ORIGINAL);
    expect((await send({ method: 'PUT', url: u.toString(), headers, body: 'good' })).status).toBe(200);
    expect(await victim()).toBe('good');
  });
});
