/**
 * The transfer endpoints through real HTTP requests on the app: upload tickets, downloads
 * (Content-Disposition), listings (JSON and HTML, against a fake backend's list), share links,
 * and the S3 listing client against fake storage (502/504, XML parsing).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { Authenticate } from '../../src/http/authenticate';
import type { Decide, Principal } from '../../src/policy/types';
import { contentDisposition } from '../../src/content/download-name';
import { createCursorSealer } from '../../src/routes/listing-cursor';
import { staticCredentials } from '../../src/signing/credentials';
import { createPresigner } from '../../src/signing/sigv4-presigner';
import type { Mount } from '../../src/storage/mount';
import { createS3Backend } from '../../src/storage/s3-backend';
import { createS3List, parseListing } from '../../src/storage/s3-list';
import type { ListInput, StorageBackend } from '../../src/storage/types';
import { memoryLogger } from '../support/memory-log';
import { rawRequest, listen } from '../support/raw-http';

const NOW = new Date('2026-11-23T10:00:00Z');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SHARE_KEY = 'k'.repeat(40);

function makeApp(options: { decide?: Decide; authenticate?: Authenticate; list?: StorageBackend['list']; now?: () => Date; shareKey?: string; publicUrl?: string } = {}) {
  const s3 = createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: staticCredentials(CREDS) });
  const backend: StorageBackend = { ...s3, ...(options.list && { list: options.list }) };
  const mounts: Mount[] = [{ path: '/files', bucket: 'signpost', prefix: '', backend }];
  const log = memoryLogger();
  const app = createApp({
    mounts,
    logger: log.logger,
    urlTtl: 300,
    now: options.now ?? (() => NOW),
    shareKey: options.shareKey ?? SHARE_KEY,
    ...(options.decide && { decide: options.decide }),
    ...(options.authenticate && { authenticate: options.authenticate }),
    ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
  });
  return { app, lines: log.lines };
}

/** supertest's parsed JSON body, typed for reading fields. */
const body = (res: { body: unknown }): Record<string, string> => res.body as Record<string, string>;

const ALICE: Principal = { kind: 'user', subject: 'alice', groups: [], claims: {}, via: 'api-key' };
const asAlice: Authenticate = (req) => Promise.resolve(req.headers.authorization === 'Bearer alice' ? ALICE : { kind: 'anonymous' });

describe('upload tickets', () => {
  const limited: Decide = (_p, action, key) =>
    key.startsWith('inbox/') && action === 'write'
      ? { effect: 'allow', rule: 'inbox', constraints: { maxSize: 100, contentTypes: ['image/*'], createOnly: true, ttl: 60 } }
      : { effect: 'allow', rule: 'all', constraints: {} };
  const { app } = makeApp({ decide: limited });

  it('X-Upload-Length -> JSON with the exact PUT to send', async () => {
    const res = await request(app).post('/files/a%20b.txt?upload').set('X-Upload-Length', '5').set('X-Upload-Content-Type', 'text/plain');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/plain' }, contentLength: 5, expiresAt: '2026-11-23T10:05:00.000Z' });
    expect(body(res).url).toMatch(/^http:\/\/127\.0\.0\.1:9000\/signpost\/a%20b\.txt\?.*X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost&x-id=PutObject$/);
  });

  it('the same URL as a PUT redirect for the same request', async () => {
    const ticket = await request(app).post('/files/x.bin?upload').set('X-Upload-Length', '7').set('X-Upload-Content-Type', 'text/plain');
    const put = await request(app).put('/files/x.bin').set('Content-Type', 'text/plain').send('1234567');
    expect(body(ticket).url).toBe(put.headers.location);
  });

  it('Accept: text/plain -> the URL alone', async () => {
    const res = await request(app).post('/files/x.bin?upload').set('X-Upload-Length', '7').set('Accept', 'text/plain');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^http:\/\/127\.0\.0\.1:9000\/signpost\/x\.bin\?X-Amz-.*\n$/);
  });

  it('a JSON body, with 100-continue honoured', async () => {
    const { url, close } = await listen(app);
    try {
      const body = JSON.stringify({ size: 10, contentType: 'image/png', createOnly: true });
      const res = await rawRequest(url, 'POST', '/files/inbox/p.png?upload', { 'Content-Type': 'application/json', 'Content-Length': String(body.length), Expect: '100-continue' }, body);
      expect(res.status).toBe(200);
      const ticket = JSON.parse(res.body) as { headers: Record<string, string>; url: string };
      expect(ticket.headers).toEqual({ 'content-type': 'image/png', 'if-none-match': '*' });
      expect(ticket.url).toContain('X-Amz-Expires=60&');
    } finally {
      await close();
    }
  });

  it.each([
    ['over maxSize', { 'X-Upload-Length': '101', 'X-Upload-Content-Type': 'image/png', 'If-None-Match': '*' }, 413],
    ['a type the rule refuses', { 'X-Upload-Length': '1', 'X-Upload-Content-Type': 'text/html', 'If-None-Match': '*' }, 415],
    ['no content type where types are constrained', { 'X-Upload-Length': '1', 'If-None-Match': '*' }, 415],
    ['create-only without If-None-Match', { 'X-Upload-Length': '1', 'X-Upload-Content-Type': 'image/png' }, 428],
    ['no size at all', {}, 411],
    ['a bad size', { 'X-Upload-Length': '-1' }, 400],
    ['over 5 GiB', { 'X-Upload-Length': String(6 * 1024 ** 3) }, 413],
  ])('%s (%j) -> %i', async (_name, headers, status) => {
    const res = await request(app).post('/files/inbox/p.png?upload').set(headers);
    expect(res.status).toBe(status);
    expect(body(res).error).toEqual(expect.any(String));
  });

  it('a JSON body over 4 KB -> 413; not JSON -> 400; wrong type -> 415', async () => {
    expect((await request(app).post('/files/a?upload').set('Content-Type', 'application/json').send(`{"size":1,"x":"${'a'.repeat(5000)}"}`)).status).toBe(413);
    expect((await request(app).post('/files/a?upload').set('Content-Type', 'application/json').send('{nope')).status).toBe(400);
    expect((await request(app).post('/files/a?upload').set('Content-Type', 'text/plain').send('{"size":1}')).status).toBe(415);
    expect((await request(app).post('/files/a?upload').set('Content-Type', 'application/json').send('{"size":1,"other":2}')).status).toBe(400);
  });

  it('the write decision is on the exact key; anonymous denied -> 401', async () => {
    const seen: string[] = [];
    const deny: Decide = (_p, action, key) => {
      seen.push(`${action} ${key}`);
      return { effect: 'deny', rule: null, reason: 'no' };
    };
    const res = await request(makeApp({ decide: deny }).app).post('/files/a%2Fb/c.txt?upload').set('X-Upload-Length', '1');
    expect(res.status).toBe(401);
    expect(seen).toEqual(['write a/b/c.txt']);
  });

  it('POST without ?upload or ?share, or on a folder, stays 405; bad keys are 400', async () => {
    expect((await request(app).post('/files/a.txt')).status).toBe(405);
    expect((await request(app).post('/files/a/?upload').set('X-Upload-Length', '1')).status).toBe(405);
    expect((await request(app).post('/files/a/%2e%2e/b?upload').set('X-Upload-Length', '1')).status).toBe(400);
  });
});

describe('downloads', () => {
  const { app } = makeApp();
  const disposition = async (target: string) => {
    const res = await request(app).get(target);
    expect(res.status).toBe(307);
    const q = new URL(res.headers.location as string).searchParams;
    return { d: q.get('response-content-disposition'), t: q.get('response-content-type') };
  };

  it('?download -> attachment with the key\'s last segment', async () => {
    expect(await disposition('/files/reports/q3.pdf?download')).toEqual({ d: 'attachment; filename="q3.pdf"', t: 'application/pdf' });
  });

  it('?download=name: non-ASCII gets an ASCII fallback and an RFC 5987 name', async () => {
    const { d } = await disposition(`/files/a.txt?download=${encodeURIComponent('Résumé 日本.txt')}`);
    expect(d).toBe(`attachment; filename="Resume __.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC.txt`);
  });

  it('quotes, backslashes, slashes and percent signs never reach the quoted name', () => {
    expect(contentDisposition('attachment', 'a"b\\c/d%e.txt')).toBe(`attachment; filename="a_b_c_d_e.txt"; filename*=UTF-8''a%22b_c_d%25e.txt`);
  });

  it('?inline for a passive type also fixes the Content-Type', async () => {
    expect(await disposition('/files/img/cat.PNG?inline')).toEqual({ d: 'inline; filename="cat.PNG"', t: 'image/png' });
  });

  it.each(['page.html', 'page.htm', 'logo.svg', 'doc.xhtml', 'feed.xml', 'app.js', 'mod.mjs', 'noextension', 'dir.png/file'])('?inline on %s is forced to attachment', async (key) => {
    const { d, t } = await disposition(`/files/${key}?inline`);
    expect(d).toMatch(/^attachment; /);
    expect(t).toBeNull();
  });

  it('control characters in the name -> 400; the read decision is on the exact key', async () => {
    expect((await request(app).get('/files/a.txt?download=a%0Ab')).status).toBe(400);
    const seen: string[] = [];
    const d: Decide = (_p, a, k) => (seen.push(`${a} ${k}`), { effect: 'allow', rule: 'r', constraints: {} });
    await request(makeApp({ decide: d }).app).get('/files/x%20y.txt?download');
    expect(seen).toEqual(['read x y.txt']);
  });
});

describe('listings', () => {
  const calls: ListInput[] = [];
  const list = (input: ListInput) => {
    calls.push(input);
    return Promise.resolve({
      objects: [
        { key: `${input.prefix}`, size: 0, lastModified: 'x', etag: '"m"' },
        { key: `${input.prefix}<b>&"x".txt`, size: 3, lastModified: '2026-01-01T00:00:00.000Z', etag: '"e"' },
      ],
      folders: [`${input.prefix}sub dir/`],
      next: 'TOKEN/1',
    });
  };
  const seen: string[] = [];
  const decide: Decide = (_p, action, key) => (seen.push(`${action} ${key}`), { effect: 'allow', rule: 'r', constraints: {} });
  const { app } = makeApp({ list, decide });

  beforeEach(() => {
    calls.length = 0;
    seen.length = 0;
  });

  it('JSON: entries, folders, cursor; list decided on the folder key without its slash', async () => {
    const res = await request(app).get('/files/reports/2026/?limit=2');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      prefix: 'reports/2026/',
      entries: [{ name: '<b>&"x".txt', key: 'reports/2026/<b>&"x".txt', size: 3, lastModified: '2026-01-01T00:00:00.000Z', etag: '"e"' }],
      folders: [{ name: 'sub dir', prefix: 'reports/2026/sub dir/' }],
      cursor: expect.stringMatching(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/) as unknown,
    });
    // The cursor is the gateway's seal of storage's token: storage gets its own token back.
    const next = await request(app).get(`/files/reports/2026/?limit=2&cursor=${encodeURIComponent(body(res).cursor!)}`);
    expect(next.status).toBe(200);
    expect(calls).toEqual([
      { bucket: 'signpost', prefix: 'reports/2026/', delimiter: '/', maxKeys: 2, now: NOW },
      { bucket: 'signpost', prefix: 'reports/2026/', delimiter: '/', maxKeys: 2, continuationToken: 'TOKEN/1', now: NOW },
    ]);
    expect(seen).toEqual(['list reports/2026', 'list reports/2026']);
  });

  it('a cursor the gateway did not hand out for this folder is a 400 before storage or the policy is asked', async () => {
    const cursor = body(await request(app).get('/files/r/')).cursor!;
    const [token, mac] = cursor.split('.') as [string, string];
    const flip = (s: string) => s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1)!;
    const bad = [
      'abc', 'TOKEN/1', `${Buffer.from('TOKEN/2').toString('base64url')}.${mac}`, `${flip(token)}.${mac}`, `${token}.${flip(mac)}`,
      `${token}=.${mac}`, `${token}.${mac}=`, `${token}.${mac}.x`, `.${mac}`, `${token}.`, cursor.slice(0, -1), `${cursor}A`, 'x'.repeat(5000),
    ];
    calls.length = 0;
    seen.length = 0;
    for (const c of bad) {
      const res = await request(app).get(`/files/r/?cursor=${encodeURIComponent(c)}`);
      expect([c, res.status, body(res).error]).toEqual([c, 400, 'invalid_cursor']);
    }
    expect((await request(app).get(`/files/other/?cursor=${encodeURIComponent(cursor)}`)).status).toBe(400); // another folder
    expect((await request(app).get(`/files/r/sub/?cursor=${encodeURIComponent(cursor)}`)).status).toBe(400);
    expect((await request(makeApp({ list, decide, shareKey: 'z'.repeat(40) }).app).get(`/files/r/?cursor=${encodeURIComponent(cursor)}`)).status).toBe(400);
    expect(calls).toEqual([]);
    expect(seen).toEqual([]);
    expect((await request(app).get(`/files/r/?cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it('without a share key each start seals with a key of its own', () => {
    const sealed = createCursorSealer(undefined).seal('/files', 'r/', 'TOKEN/1');
    expect(createCursorSealer(undefined).open('/files', 'r/', sealed)).toBeUndefined();
    const same = createCursorSealer(SHARE_KEY);
    expect(same.open('/files', 'r/', same.seal('/files', 'r/', 'TOKEN/1'))).toBe('TOKEN/1');
    expect(same.open('/files', 'r/', createCursorSealer('y'.repeat(40)).seal('/files', 'r/', 'TOKEN/1'))).toBeUndefined();
  });

  it('instances with the same share key accept each other\'s cursors', async () => {
    const cursor = body(await request(app).get('/files/r/')).cursor!;
    const twin = makeApp({ list, decide }); // same SHARE_KEY
    expect((await request(twin.app).get(`/files/r/?cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it('the root: /files/ and /files', async () => {
    expect(body(await request(app).get('/files/')).prefix).toBe('');
    expect((await request(app).get('/files')).status).toBe(200);
    expect(calls.map((c) => c.prefix)).toEqual(['', '']);
  });

  it('HTML: escaped names, ?download links, folder links, a strict CSP, no script', async () => {
    const res = await request(app).get('/files/r/').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['content-security-policy']).not.toMatch(/script-src/);
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).toContain('<a href="/files/r/%3Cb%3E%26%22x%22.txt?download">&lt;b&gt;&amp;&quot;x&quot;.txt</a>');
    expect(res.text).toContain('<a href="/files/r/sub%20dir/">sub dir/</a>');
    expect(res.text).toMatch(/<a href="\/files\/r\/\?cursor=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}">next page<\/a>/);
  });

  it.each(['limit=0', 'limit=1001', 'limit=x', 'cursor='])('?%s -> 400', async (q) => {
    expect((await request(app).get(`/files/r/?${q}`)).status).toBe(400);
  });

  it('denied -> 401 anonymous / 403 user; no list on the backend -> 501', async () => {
    const no: Decide = () => ({ effect: 'deny', rule: null, reason: 'no' });
    expect((await request(makeApp({ list, decide: no }).app).get('/files/r/')).status).toBe(401);
    expect((await request(makeApp({ list, decide: no, authenticate: asAlice }).app).get('/files/r/').set('Authorization', 'Bearer alice')).status).toBe(403);
    const plain = makeApp().app;
    const res = await request(plain).get('/files/r/');
    expect(res.status).toBe(502); // the real S3 list: nothing listens on :9000
    expect(body(res).error).toBe('storage_error');
  });

  it('PUT or DELETE on a folder is still a 400', async () => {
    expect((await request(app).delete('/files/r/')).status).toBe(400);
  });
});

describe('share links', () => {
  let clock = NOW;
  const seen: string[] = [];
  const decide: Decide = (p, action, key) => {
    seen.push(`${p.kind} ${action} ${key}`);
    return p.kind === 'user' && key.startsWith('home/alice/') ? { effect: 'allow', rule: 'home', constraints: {} } : { effect: 'deny', rule: null, reason: 'no' };
  };
  const { app, lines } = makeApp({ decide, authenticate: asAlice, now: () => clock, publicUrl: 'https://files.example.com/' });
  beforeEach(() => {
    clock = NOW;
    seen.length = 0;
  });

  const create = (key: string, q = '') => request(app).post(`/files/${key}?share${q}`).set('Authorization', 'Bearer alice').set('Host', 'gw.example:8080');

  it('needs share and read on the exact key; answers url (from publicUrl, not Host), path and expiry (default 24 h)', async () => {
    const res = await create('home/alice/cv%20v2.pdf');
    expect(res.status).toBe(200);
    expect(seen).toEqual(['user share home/alice/cv v2.pdf', 'user read home/alice/cv v2.pdf']);
    expect(body(res).path).toMatch(/^\/files\/home\/alice\/cv%20v2\.pdf\?share=\d+\.[A-Za-z0-9_-]{43}$/);
    expect(body(res).url).toBe(`https://files.example.com${body(res).path as string}`);
    expect(body(res).expiresAt).toBe('2026-11-24T10:00:00.000Z');
  });

  it('opened without credentials -> 307 to a fresh GET; HEAD too; ?download works', async () => {
    const { path } = body(await create('home/alice/a.txt', '&ttl=60')) as { path: string };
    seen.length = 0;
    const get = await request(app).get(path);
    expect(get.status).toBe(307);
    expect(get.headers.location).toMatch(/\/signpost\/home\/alice\/a\.txt\?.*x-id=GetObject$/);
    expect(seen).toEqual([]); // the token is the capability
    expect((await request(app).head(path)).headers.location).not.toContain('x-id=GetObject');
    expect(new URL((await request(app).get(`${path}&download`)).headers.location as string).searchParams.get('response-content-disposition')).toBe('attachment; filename="a.txt"');
  });

  it('expired -> 410; tampered, moved to another key, or garbage -> 403', async () => {
    const { path } = body(await create('home/alice/a.txt', '&ttl=60')) as { path: string };
    const token = path.split('share=')[1]!;
    clock = new Date(NOW.getTime() + 61_000);
    expect((await request(app).get(path)).status).toBe(410);
    clock = NOW;
    const [exp, mac] = token.split('.') as [string, string];
    expect((await request(app).get(path.replace(exp, String(Number(exp) + 1000)))).status).toBe(403);
    expect((await request(app).get(path.replace(mac, `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`))).status).toBe(403);
    expect((await request(app).get(`/files/home/alice/b.txt?share=${token}`)).status).toBe(403);
    expect((await request(app).get('/files/home/alice/a.txt?share=nope')).status).toBe(403);
  });

  it('ttl is capped at 7 days; bad ttl -> 400; JSON {ttl} works; not allowed -> 401/403', async () => {
    expect(body(await create('home/alice/a.txt', '&ttl=99999999')).expiresAt).toBe('2026-11-30T10:00:00.000Z');
    expect((await create('home/alice/a.txt', '&ttl=abc')).status).toBe(400);
    const json = await request(app).post('/files/home/alice/a.txt?share').set('Authorization', 'Bearer alice').send({ ttl: 3600 });
    expect(body(json).expiresAt).toBe('2026-11-23T11:00:00.000Z');
    expect((await request(app).post('/files/home/alice/a.txt?share')).status).toBe(401);
    expect((await create('home/bob/a.txt')).status).toBe(403);
  });

  it('no token in any log line', async () => {
    const { path } = body(await create('home/alice/a.txt')) as { path: string };
    await request(app).get(path);
    const token = path.split('share=')[1]!;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token.split('.')[1]!);
  });
});

describe('S3 listing client', () => {
  const presign = createPresigner({ endpoint: new URL('http://store.test:9000'), region: 'us-east-1', forcePathStyle: true });
  const creds = staticCredentials(CREDS);
  const input: ListInput = { bucket: 'b', prefix: 'a b/', delimiter: '/', maxKeys: 2, continuationToken: 'T+1', now: NOW };

  it('signs a ListObjectsV2 GET with lower-case extra params and parses the XML (values stay strings)', async () => {
    let asked = '';
    const fake = (url: string | URL | Request): Promise<Response> => {
      asked = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
      const xml = `<?xml version="1.0"?><ListBucketResult><Contents><Key>a b/0</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>12</Size></Contents><Contents><Key>a b/1e3 &amp; &lt;x&gt;</Key><Size>1</Size></Contents><CommonPrefixes><Prefix>a b/s/</Prefix></CommonPrefixes><IsTruncated>true</IsTruncated><NextContinuationToken>N1</NextContinuationToken></ListBucketResult>`;
      return Promise.resolve(new Response(xml, { status: 200 }));
    };
    const page = await createS3List(presign, creds, { fetch: fake })(input);
    expect(asked).toMatch(/^http:\/\/store\.test:9000\/b\/\?X-Amz-Algorithm=.*&X-Amz-Expires=60&.*&continuation-token=T%2B1&delimiter=%2F&list-type=2&max-keys=2&prefix=a%20b%2F$/);
    expect(page).toEqual({
      objects: [
        { key: 'a b/0', size: 12, lastModified: '2026-01-01T00:00:00.000Z', etag: '"e"' },
        { key: 'a b/1e3 & <x>', size: 1, lastModified: '', etag: '' },
      ],
      folders: ['a b/s/'],
      next: 'N1',
    });
  });

  it('one entry is still a list; not truncated -> no next', () => {
    expect(parseListing('<ListBucketResult><Contents><Key>k</Key><Size>1</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({
      objects: [{ key: 'k', size: 1, lastModified: '', etag: '' }],
      folders: [],
    });
  });

  it('storage refusing a continuation token it issued itself (InvalidArgument) -> 400 invalid_cursor; without a token, 502', async () => {
    const refused = () => Promise.resolve(new Response('<Error><Code>InvalidArgument</Code><Message>The continuation token provided is incorrect</Message></Error>', { status: 400 }));
    const { continuationToken: _, ...first } = input;
    await expect(createS3List(presign, creds, { fetch: refused })(input)).rejects.toMatchObject({ statusCode: 400, code: 'invalid_cursor' });
    await expect(createS3List(presign, creds, { fetch: refused })(first)).rejects.toMatchObject({ statusCode: 502, code: 'storage_error' });
  });

  it('a storage error -> 502 storage_error with the S3 code; unreachable -> 502; slow -> 504', async () => {
    const denied = () => Promise.resolve(new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 }));
    await expect(createS3List(presign, creds, { fetch: denied })(input)).rejects.toThrow(/AccessDenied/);
    await expect(createS3List(presign, creds, { fetch: denied })(input)).rejects.toMatchObject({ statusCode: 502, code: 'storage_error' });
    const down = () => Promise.reject(new TypeError('fetch failed'));
    await expect(createS3List(presign, creds, { fetch: down })(input)).rejects.toMatchObject({ statusCode: 502 });

    const slow = createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const port = (slow.address() as AddressInfo).port;
    try {
      const p = createPresigner({ endpoint: new URL(`http://127.0.0.1:${port}`), region: 'us-east-1', forcePathStyle: true });
      await expect(createS3List(p, creds, { timeoutMs: 200 })(input)).rejects.toMatchObject({ statusCode: 504, code: 'storage_timeout' });
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
