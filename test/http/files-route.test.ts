/**
 * The HTTP app through real requests (createApp on a loopback port): statuses, Location,
 * headers, 405/Allow, 400s, 411, policy outcomes. Storage is the S3 backend with fixed
 * credentials and a fixed clock, so every Location can be compared with the SDK's own URL.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { Authenticate } from '../../src/http/authenticate';
import type { Decide } from '../../src/policy/types';
import { CredentialsUnavailable, staticCredentials, type CredentialSource } from '../../src/signing/credentials';
import type { Mount } from '../../src/storage/mount';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';
import { listen, rawRequest, rawSocket } from '../support/raw-http';

const NOW = new Date('2026-11-23T10:00:00Z');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ENDPOINT = 'http://127.0.0.1:9000';

function makeApp(options: { decide?: Decide; credentials?: CredentialSource; urlTtl?: number; authenticate?: Authenticate } = {}) {
  const backend = createS3Backend({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: options.credentials ?? staticCredentials(CREDS) });
  const mounts: Mount[] = [
    { path: '/files', bucket: 'signpost', prefix: '', backend },
    { path: '/files/archive', bucket: 'archive', prefix: 'cold/', backend },
  ];
  const log = memoryLogger();
  const app = createApp({ mounts, logger: log.logger, urlTtl: options.urlTtl ?? 300, now: () => NOW, ...(options.decide && { decide: options.decide }), ...(options.authenticate && { authenticate: options.authenticate }) });
  return { app, lines: log.lines };
}

const sdk = new S3Client({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: CREDS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
afterAll(() => sdk.destroy());
type SdkCommand = GetObjectCommand | HeadObjectCommand | PutObjectCommand | DeleteObjectCommand;
const sign = (cmd: SdkCommand, extra: { signableHeaders?: Set<string> } = {}) =>
  getSignedUrl(sdk, cmd as Parameters<typeof getSignedUrl>[1], { expiresIn: 300, signingDate: NOW, ...extra });

describe('redirects', () => {
  const { app, lines } = makeApp();

  it('GET -> 307 to a presigned GetObject URL, no-store, a one-line body naming it and -L', async () => {
    const res = await request(app).get('/files/reports/q3%20final.pdf');
    expect(res.status).toBe(307);
    // The type comes from the extension (src/content/serve-as.ts), so a .pdf opens in a browser whatever was stored.
    const location = await sign(new GetObjectCommand({ Bucket: 'signpost', Key: 'reports/q3 final.pdf', ResponseContentType: 'application/pdf' }));
    expect(res.headers.location).toBe(location);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(`Redirecting to ${location} (curl: add -L to follow redirects)\n`);
    expect(res.headers['content-length']).toBe(String(res.text.length));
  });

  it('HEAD -> 307 to a HeadObject URL (a GET signature would fail for HEAD)', async () => {
    const res = await request(app).head('/files/a.txt');
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(await sign(new HeadObjectCommand({ Bucket: 'signpost', Key: 'a.txt' })));
  });

  it('DELETE -> 307 to a DeleteObject URL', async () => {
    const res = await request(app).delete('/files/a.txt');
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(await sign(new DeleteObjectCommand({ Bucket: 'signpost', Key: 'a.txt' })));
  });

  it('PUT -> 307 with Content-Length and Content-Type signed', async () => {
    const res = await request(app).put('/files/up.txt').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(
      await sign(new PutObjectCommand({ Bucket: 'signpost', Key: 'up.txt', ContentLength: 5, ContentType: 'text/plain' }), { signableHeaders: new Set(['content-type']) }),
    );
    expect(res.headers.location).toContain('X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost&');
  });

  it('PUT with If-None-Match: * signs it (create, never overwrite)', async () => {
    const res = await rawRequest(await baseUrl(app), 'PUT', '/files/once.txt', { 'Content-Length': '0', 'If-None-Match': '*' });
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe(await sign(new PutObjectCommand({ Bucket: 'signpost', Key: 'once.txt', ContentLength: 0, IfNoneMatch: '*' })));
  });

  it('the longest mount wins and adds its prefix and bucket', async () => {
    const res = await request(app).get('/files/archive/2020/x.bin');
    expect(res.headers.location).toBe(await sign(new GetObjectCommand({ Bucket: 'archive', Key: 'cold/2020/x.bin', ResponseContentDisposition: 'attachment; filename="x.bin"' })));
  });

  it.each(['GET', 'HEAD', 'PUT', 'DELETE'])('%s Location carries no checksum parameters', async (method) => {
    const res = await rawRequest(await baseUrl(app), method, '/files/c.bin', { 'Content-Length': '3' }, method === 'PUT' ? 'abc' : undefined);
    expect(res.status).toBe(307);
    expect(res.headers.location).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
  });

  it('builds Location from configuration, never from Host or X-Forwarded-* headers', async () => {
    const res = await request(app).get('/files/a.txt').set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https');
    expect(res.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:9000\/signpost\/a\.txt\?/);
  });

  it('logs one line per request without the presigned URL or signature', async () => {
    lines.length = 0;
    const res = await request(app).get('/files/secret-report.pdf');
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(res.headers.location as string)![1]!;
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ method: 'GET', path: '/files/secret-report.pdf', status: 307, action: 'read', reqId: res.headers['x-request-id'] });
    expect(typeof line.ms).toBe('number');
    expect(lines[0]).not.toContain(signature);
    expect(lines[0]).not.toContain('X-Amz');
    expect(lines[0]).not.toContain(CREDS.accessKeyId);
  });
});

describe('errors', () => {
  const { app } = makeApp();

  it.each([
    ['/files/a/../b', 'invalid_key'],
    ['/files/%2e%2e/etc/passwd', 'invalid_key'],
    ['/files/a//b', 'invalid_key'],
    ['/files/a%00b', 'invalid_key'],
    ['/files/bad%zz', 'invalid_key'],
    ['/files/%FF', 'invalid_key'],
    ['/files/' + 'k'.repeat(1025), 'invalid_key'],
  ])('GET %s -> 400 %s', async (target, code) => {
    const res = await rawRequest(await baseUrl(app), 'GET', target);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: code });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  // GET on a folder is a listing now (test/http/transfers.test.ts); other methods still refuse.
  it.each([['HEAD', '/files/dir/'], ['DELETE', '/files/dir/'], ['DELETE', '/files']])('%s %s -> 400 folder_key', async (method, target) => {
    const res = await rawRequest(await baseUrl(app), method, target);
    expect(res.status).toBe(400);
    if (method !== 'HEAD') expect(JSON.parse(res.body)).toMatchObject({ error: 'folder_key' });
  });

  it.each(['POST', 'PATCH', 'PROPFIND'])('%s -> 405 with Allow', async (method) => {
    const res = await rawRequest(await baseUrl(app), method, '/files/a.txt', { 'Content-Length': '0' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'method_not_allowed' });
  });

  it('OPTIONS is answered by the gateway itself', async () => {
    const res = await request(app).options('/files/a.txt');
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
    expect(res.headers.location).toBeUndefined();
  });

  it('PUT without Content-Length -> 411', async () => {
    const res = await rawSocket(await baseUrl(app), 'PUT /files/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1\.1 411 /);
    expect(res).toContain('"error":"length_required"');
  });

  it('chunked PUT -> 411 naming the fix', async () => {
    const res = await rawRequest(await baseUrl(app), 'PUT', '/files/a.txt', { 'Transfer-Encoding': 'chunked' }, 'abc');
    expect(res.status).toBe(411);
    expect((JSON.parse(res.body) as { message: string }).message).toContain('Content-Length');
  });

  it.each([
    [{ 'Content-Length': '6000000000' }, 413, 'too_large'],
    [{ 'Content-Length': '0', 'Content-Type': 'not a type' }, 400, 'invalid_content_type'],
    [{ 'Content-Length': '0', 'If-None-Match': '"etag"' }, 400, 'invalid_if_none_match'],
  ])('PUT with %j -> %i', async (headers, status, code) => {
    const res = await rawRequest(await baseUrl(app), 'PUT', '/files/a.txt', { ...headers, Expect: '100-continue' });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toMatchObject({ error: code });
  });

  it('unknown paths -> 404 JSON; /healthz -> 200', async () => {
    expect((await request(app).get('/nope')).status).toBe(404);
    expect((await request(app).get('/FILES/a')).status).toBe(404);
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
  });
});

describe('the decision seam', () => {
  const user = { kind: 'user', subject: 'alice', groups: [], claims: {}, via: 'api-key' } as const;

  it('deny for an anonymous caller -> 401 with WWW-Authenticate', async () => {
    const { app } = makeApp({ decide: () => ({ effect: 'deny', rule: null, reason: 'no rule allows it' }) });
    const res = await request(app).get('/files/a.txt');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(JSON.stringify(res.body)).not.toContain('no rule allows it'); // the log says why, not the client
  });

  it('passes (principal, action, key) with the exact signed key', async () => {
    const calls: unknown[] = [];
    const { app } = makeApp({ decide: (p, a, k) => (calls.push([p, a, k]), { effect: 'allow', rule: 'r', constraints: {} }) });
    await request(app).put('/files/archive/a%2Fb%20c').send('x');
    expect(calls).toEqual([[{ kind: 'anonymous' }, 'write', 'cold/a/b c']]);
  });

  it.each([
    [{ maxSize: 3 }, { 'Content-Length': '4' }, 413],
    [{ maxSize: 4 }, { 'Content-Length': '4' }, 307],
    [{ contentTypes: ['image/*'] }, { 'Content-Length': '1', 'Content-Type': 'text/html' }, 415],
    [{ contentTypes: ['image/*'] }, { 'Content-Length': '1' }, 415],
    [{ contentTypes: ['image/*'] }, { 'Content-Length': '1', 'Content-Type': 'image/png' }, 307],
    [{ createOnly: true }, { 'Content-Length': '1' }, 428],
    [{ createOnly: true }, { 'Content-Length': '1', 'If-None-Match': '*' }, 307],
  ])('constraints %j with %j -> %i', async (constraints, headers, status) => {
    const { app } = makeApp({ decide: () => ({ effect: 'allow', rule: 'r', constraints }) });
    const res = await rawRequest(await baseUrl(app), 'PUT', '/files/u.bin', { ...headers, Expect: '100-continue' });
    expect(res.status).toBe(status);
  });

  it('a rule ttl sets X-Amz-Expires', async () => {
    const { app } = makeApp({ decide: () => ({ effect: 'allow', rule: 'r', constraints: { ttl: 30 } }) });
    expect((await request(app).get('/files/a')).headers.location).toContain('X-Amz-Expires=30&');
  });

  it('deny for an authenticated caller -> 403, and the log names the rule', async () => {
    const { app, lines } = makeApp({ decide: () => ({ effect: 'deny', rule: 'no-exe', reason: 'denied by rule no-exe' }), authenticate: () => Promise.resolve(user) });
    const res = await request(app).get('/files/a');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'forbidden', message: 'not allowed' });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ status: 403, principal: 'api-key:alice', rule: 'no-exe', denyReason: 'denied by rule no-exe' });
  });
});

describe('credentials', () => {
  it('unavailable credentials -> 503 with Retry-After, never a dead URL', async () => {
    const failing: CredentialSource = { get: () => Promise.reject(new CredentialsUnavailable('expired')) };
    const { app } = makeApp({ credentials: failing });
    const res = await request(app).get('/files/a.txt');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers.location).toBeUndefined();
  });

  it('caps the lifetime at the credentials expiry', async () => {
    const expiring = staticCredentials({ ...CREDS, sessionToken: 't', expiration: new Date(NOW.getTime() + 90_000) });
    const { app } = makeApp({ credentials: expiring });
    expect((await request(app).get('/files/a')).headers.location).toContain('X-Amz-Expires=90&');
  });
});

const servers: (() => Promise<void>)[] = [];
const urls = new WeakMap<object, string>();
async function baseUrl(app: ReturnType<typeof createApp>): Promise<string> {
  let url = urls.get(app);
  if (!url) {
    const listening = await listen(app);
    servers.push(listening.close);
    url = listening.url;
    urls.set(app, url);
  }
  return url;
}
afterAll(async () => Promise.all(servers.map((close) => close())));
