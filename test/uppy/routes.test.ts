/**
 * The Uppy endpoint over real HTTP: the running gateway (embedded store, policy, API keys, JWT),
 * called the way @uppy/aws-s3 6.x calls Companion, with the forms and part URLs it answers sent
 * to the store, which verifies them. The browser test (uppy-browser.test.ts) drives the real
 * library; this one covers every refusal and binding rule one request at a time.
 */
import { randomBytes } from 'node:crypto';
import { postForm, withFile } from '../store/post-object-conformance';
import { errorCode } from '../store/helpers';
import type { TestGateway } from '../support/gateway';
import { alice, bob, jwtFor, startUppyGateway } from '../support/uppy';

jest.setTimeout(60_000);

let gw: TestGateway;
const PAGE = 'http://page.test:8080';
beforeAll(async () => {
  gw = await startUppyGateway({ corsOrigin: PAGE });
});
afterAll(() => gw?.stop());

type Json = Record<string, unknown>;
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Json & Json[] }> {
  const res = await fetch(`${gw.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Json & Json[] };
}
async function session(key: string, ttl?: number): Promise<string> {
  const res = await call(`/uppy/session${ttl === undefined ? '' : `?ttl=${ttl}`}`, { method: 'POST', headers: bearer(key) });
  expect(res.status).toBe(201);
  return res.body.endpoint as string;
}
const params = (base: string, filename: string, folder: string, type = 'application/octet-stream', headers: Record<string, string> = {}) =>
  call(`${base}/s3/params?${new URLSearchParams({ filename, type, 'metadata[folder]': folder, 'metadata[name]': filename }).toString()}`, { headers });
const create = (base: string, filename: string, folder: string, type = 'application/octet-stream', headers: Record<string, string> = {}) =>
  call(`${base}/s3/multipart`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ filename, type, metadata: { folder, name: filename } }) });
const part = (base: string, id: string, n: number, key: string, headers: Record<string, string> = {}) => call(`${base}/s3/multipart/${encodeURIComponent(id)}/${n}?${new URLSearchParams({ key }).toString()}`, { headers });
const list = (base: string, id: string, key: string) => call(`${base}/s3/multipart/${encodeURIComponent(id)}?${new URLSearchParams({ key }).toString()}`);
const complete = (base: string, id: string, key: string, parts: { PartNumber: number; ETag: string }[]) =>
  call(`${base}/s3/multipart/${encodeURIComponent(id)}/complete?${new URLSearchParams({ key }).toString()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parts }) });
const abort = (base: string, id: string, key: string) => call(`${base}/s3/multipart/${encodeURIComponent(id)}?${new URLSearchParams({ key }).toString()}`, { method: 'DELETE' });
/** GET through the gateway: the gateway's status when it does not redirect, else storage's answer (the 307 followed by hand). */
async function download(path: string, key = alice.key): Promise<Buffer | number> {
  const redirect = await fetch(`${gw.url}${path}`, { headers: bearer(key), redirect: 'manual' });
  if (redirect.status !== 307) return redirect.status;
  const res = await fetch(redirect.headers.get('location')!);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : res.status;
}
const ids = (res: { body: unknown }) => res.body as { key: string; uploadId: string };
/** Byte equality without jest's element-by-element diff (minutes for a few MB). */
const same = (got: Buffer | number, want: Buffer): boolean => Buffer.isBuffer(got) && got.equals(want);
async function putPart(url: string, body: Buffer): Promise<string> {
  const res = await fetch(url, { method: 'PUT', body });
  expect(res.status).toBe(200);
  return (res.headers.get('etag') ?? '').replace(/"/g, '');
}

describe('sessions: the credential Uppy 6 carries in its endpoint', () => {
  it('an API key or a JWT gets a session; nobody else does', async () => {
    expect((await call('/uppy/session', { method: 'POST' })).status).toBe(401);
    expect((await call('/uppy/session', { method: 'POST', headers: bearer('not-a-key') })).status).toBe(401);
    const ok = await call('/uppy/session?ttl=60', { method: 'POST', headers: bearer(alice.key) });
    expect(ok.status).toBe(201);
    expect(ok.body.endpoint).toMatch(/^\/uppy\/s\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(Math.abs(Date.parse(ok.body.expiresAt as string) - Date.now() - 60_000)).toBeLessThan(5000);
    const exp = Math.floor(Date.now() / 1000) + 120;
    const jwt = await call('/uppy/session', { method: 'POST', headers: bearer(await jwtFor('carol', exp)) });
    expect(jwt.status).toBe(201);
    expect(Date.parse(jwt.body.expiresAt as string)).toBe(exp * 1000); // never past the JWT's own exp
  });

  it.each(['0', '604801', 'abc', '-1'])('refuses ttl=%s (400)', async (ttl) => {
    expect((await call(`/uppy/session?ttl=${ttl}`, { method: 'POST', headers: bearer(alice.key) })).status).toBe(400);
  });

  it('a tampered session is 401, like a bad credential', async () => {
    const base = await session(alice.key);
    const tampered = base.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await params(tampered, 'a.txt', '/files/home/alice')).status).toBe(401);
  });
});

describe('small files: S3 POST Object forms with the rule in the policy', () => {
  it('a session uploads into its own folder; the bytes come back through the gateway', async () => {
    const base = await session(alice.key);
    const body = randomBytes(1000);
    const res = await params(base, 'report 1.bin', '/files/home/alice/docs');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ method: 'POST', fields: { key: 'home/alice/docs/report 1.bin', 'Content-Type': 'application/octet-stream' } });
    expect((await postForm(res.body.url as string, withFile(res.body.fields as Record<string, string>, body))).status).toBe(204);
    expect(same(await download('/files/home/alice/docs/report%201.bin'), body)).toBe(true);
  });

  it('works with an Authorization header instead of a session, and anonymously where the policy allows it', async () => {
    expect((await params('/uppy', 'h.txt', '/files/home/alice', 'text/plain', bearer(alice.key))).status).toBe(200);
    expect((await params('/uppy', 'drop.txt', 'files/inbox/')).status).toBe(200);
    expect((await params('/uppy', 'h.txt', '/files/home/alice')).status).toBe(401);
  });

  it('403 for another user\'s folder, 415 for a type the rule refuses, 501 for a create-only folder', async () => {
    const base = await session(alice.key);
    expect((await params(base, 'x.txt', '/files/home/bob')).status).toBe(403);
    expect((await params(base, 'x.txt', '/files/images', 'text/plain')).status).toBe(415);
    const archive = await params(base, 'x.txt', '/files/archive');
    expect([archive.status, archive.body.error]).toEqual([501, 'not_implemented']);
  });

  it('storage enforces maxSize (EntityTooLarge) and the signed type (AccessDenied)', async () => {
    const base = await session(alice.key);
    const small = await params(base, 'big.bin', '/files/small');
    const tooBig = await postForm(small.body.url as string, withFile(small.body.fields as Record<string, string>, randomBytes(2001)));
    expect([tooBig.status, errorCode(tooBig)]).toEqual([400, 'EntityTooLarge']);
    expect((await postForm(small.body.url as string, withFile(small.body.fields as Record<string, string>, randomBytes(2000)))).status).toBe(204);
    const image = await params(base, 'cat.png', '/files/images', 'image/png');
    const wrongType = await postForm(image.body.url as string, withFile({ ...(image.body.fields as Record<string, string>), 'Content-Type': 'text/html' }, randomBytes(10)));
    expect([wrongType.status, errorCode(wrongType)]).toEqual([403, 'AccessDenied']);
  });

  it.each([
    ['no filename', '', '/files/home/alice', 400],
    ['a folder under no mount', 'a.txt', '/elsewhere/x', 404],
    ['a ".." segment', 'a.txt', '/files/home/alice/../bob', 400],
    ['a file name that S3 would substitute', '${filename}', '/files/home/alice', 400],
  ])('refuses %s', async (_what, filename, folder, status) => {
    expect((await params(await session(alice.key), filename, folder)).status).toBe(status);
  });

  it('refuses a malformed type (400)', async () => {
    expect((await params(await session(alice.key), 'a.txt', '/files/home/alice', 'not a type')).status).toBe(400);
  });
});

describe('multipart: the upload token binds upload, key and caller', () => {
  const MiB = 1024 * 1024;
  let base: string;
  beforeAll(async () => {
    base = await session(alice.key);
  });

  it('create, sign, upload, list, complete: the object is the parts, at the key the gateway chose', async () => {
    const created = await create(base, 'movie.bin', '/files/home/alice/videos', 'video/mp4');
    expect(created.status).toBe(200);
    const { key, uploadId } = ids(created);
    expect(key).toBe('home/alice/videos/movie.bin');
    expect(uploadId).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const bodies = [randomBytes(5 * MiB), randomBytes(1234)];
    const etags: string[] = [];
    for (const [i, body] of bodies.entries()) {
      const signed = await part(base, uploadId, i + 1, key);
      expect(signed.status).toBe(200);
      expect(signed.body.url as string).not.toMatch(/content-length/); // Uppy does not say a part's size
      etags.push(await putPart(signed.body.url as string, body));
    }
    const listed = await list(base, uploadId, key);
    expect(listed.body).toEqual(etags.map((e, i) => ({ PartNumber: i + 1, ETag: `"${e}"`, Size: bodies[i]!.length })));
    const done = await complete(base, uploadId, key, etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })));
    expect(done).toEqual({ status: 200, body: { location: '/files/home/alice/videos/movie.bin', key } });
    expect(same(await download('/files/home/alice/videos/movie.bin'), Buffer.concat(bodies))).toBe(true);
  });

  it('refuses a part request with another key, an altered token, another caller, or a raw upload id', async () => {
    const { key, uploadId } = ids(await create(base, 'bound.bin', '/files/home/alice'));
    expect((await part(base, uploadId, 1, key)).status).toBe(200);
    expect((await part(base, uploadId, 1, 'home/alice/other.bin')).status).toBe(403);
    const [body, mac] = uploadId.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { k: string };
    const forged = `${Buffer.from(JSON.stringify({ ...payload, k: 'home/bob/stolen.bin' })).toString('base64url')}.${mac}`;
    expect((await part(base, forged, 1, 'home/bob/stolen.bin')).status).toBe(403);
    expect((await part(await session(bob.key), uploadId, 1, key)).status).toBe(403);
    expect((await part('/uppy', uploadId, 1, key)).status).toBe(401); // anonymous
    expect((await part('/uppy', uploadId, 1, key, bearer(bob.key))).status).toBe(403);
    expect((await part(base, (payload as unknown as { u: string }).u, 1, key)).status).toBe(403);
    expect((await part(base, base.split('/').pop()!, 1, key)).status).toBe(403); // a session is not an upload token
    expect((await part(base, uploadId, 0, key)).status).toBe(400);
    expect((await part(base, uploadId, 10001, key)).status).toBe(400);
  });

  it('over maxSize at Complete: 413, and the upload is aborted', async () => {
    const { key, uploadId } = ids(await create(base, 'huge.bin', '/files/small'));
    const etag = await putPart((await part(base, uploadId, 1, key)).body.url as string, randomBytes(3000));
    expect((await complete(base, uploadId, key, [{ PartNumber: 1, ETag: etag }])).status).toBe(413);
    expect((await list(base, uploadId, key)).status).toBe(404);
    expect(await download('/files/small/huge.bin')).toBe(404);
  });

  it('create-only: the first upload wins, the second is refused by storage (412)', async () => {
    for (const expected of [200, 412]) {
      const { key, uploadId } = ids(await create(base, 'once.bin', '/files/archive'));
      const etag = await putPart((await part(base, uploadId, 1, key)).body.url as string, randomBytes(100));
      expect((await complete(base, uploadId, key, [{ PartNumber: 1, ETag: etag }])).status).toBe(expected);
    }
  });

  it('abort ends the upload; a type the rule refuses is 415 at create', async () => {
    const { key, uploadId } = ids(await create(base, 'gone.bin', '/files/home/alice'));
    expect(await abort(base, uploadId, key)).toEqual({ status: 200, body: {} });
    expect((await list(base, uploadId, key)).status).toBe(404);
    expect((await create(base, 'x.txt', '/files/images', 'text/plain')).status).toBe(415);
  });
});

describe('the endpoint around the routes', () => {
  it('unknown routes are 404, wrong methods 405, and there is no sts (501)', async () => {
    expect((await call('/uppy/s3/nothing')).status).toBe(404);
    expect((await call('/uppy/s3/params', { method: 'DELETE' })).status).toBe(405);
    expect((await call('/uppy/s3/sts')).status).toBe(501);
  });

  it('answers the CORS preflight for what Uppy sends', async () => {
    const res = await fetch(`${gw.url}/uppy/s3/multipart`, { method: 'OPTIONS', headers: { Origin: PAGE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,uppy-versions' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/uppy-versions/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/uppy-auth-token/);
  });

  it('never logs a session or an upload token', async () => {
    const base = await session(alice.key);
    const { key, uploadId } = ids(await create(base, 'log.bin', '/files/home/alice'));
    await part(base, uploadId, 1, key);
    const lines = gw.logLines.join('\n');
    expect(lines).toContain('/uppy/s/…/s3/multipart/…/1');
    expect(lines).not.toContain(base.split('/').pop()!);
    expect(lines).not.toContain(uploadId.split('.')[1]!);
  });
});
