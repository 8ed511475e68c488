/**
 * URL tickets (`POST <mount>/<key>?url[=get|head|put]`) through real HTTP requests on the app,
 * signed by the real S3 and Azure backends: which action each needs, what gets signed, the
 * lifetime bounds, the unknown-size rule (411 where a maxSize applies), the PUT constraints
 * (415, 428), bad input (400) and denials that carry no URL. That storage really enforces what
 * is signed is proven end to end in test/e2e/processing-*.test.ts.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import type { Authenticate } from '../../src/http/authenticate';
import type { Action, Constraints, Decide, Principal } from '../../src/policy/types';
import { staticCredentials } from '../../src/signing/credentials';
import { createAzureBackend } from '../../src/storage/azure-backend';
import { accountKeySource } from '../../src/storage/azure-keys';
import type { Mount } from '../../src/storage/mount';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';
import { rawRequest, listen } from '../support/raw-http';

const NOW = new Date('2026-11-23T10:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const AZURE_KEY = Buffer.alloc(32, 7).toString('base64');

const ALICE: Principal = { kind: 'user', subject: 'alice', groups: [], claims: {}, via: 'api-key' };
const asAlice: Authenticate = (req) => Promise.resolve(req.headers.authorization === 'Bearer alice' ? ALICE : { kind: 'anonymous' });

/** Per folder: the constraints of an allow, or a deny for the listed actions. */
const RULES: Record<string, { constraints: Constraints; only?: Action[] }> = {
  'open/': { constraints: {} },
  'sized/': { constraints: { maxSize: 1000 } },
  'typed/': { constraints: { contentTypes: ['image/*', 'application/gzip'] } },
  'once/': { constraints: { createOnly: true } },
  'short/': { constraints: { ttl: 30 } },
  'long/': { constraints: { ttl: 3600 } },
  'readonly/': { constraints: {}, only: ['read'] },
  'writeonly/': { constraints: {}, only: ['write'] },
};
const seen: string[] = [];
const decide: Decide = (principal, action, key) => {
  seen.push(`${action} ${key}`);
  const rule = Object.entries(RULES).find(([prefix]) => key.startsWith(prefix));
  if (principal.kind !== 'user' || !rule || (rule[1].only && !rule[1].only.includes(action))) return { effect: 'deny', rule: null, reason: 'no rule' };
  return { effect: 'allow', rule: rule[0], constraints: rule[1].constraints };
};

function makeApp(backend: 's3' | 'azure' = 's3', urlTtl = 300) {
  const store =
    backend === 's3'
      ? createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: staticCredentials(CREDS) })
      : createAzureBackend({ account: 'acct', endpoint: 'http://127.0.0.1:10000/acct', keys: accountKeySource(AZURE_KEY) });
  const mounts: Mount[] = [{ path: '/files', bucket: 'signpost', prefix: '', backend: store }];
  return createApp({ mounts, logger: memoryLogger().logger, urlTtl, now: () => NOW, decide, authenticate: asAlice });
}

interface Ticket {
  method: string;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}
const app = makeApp();
const post = (target: string, headers: Record<string, string> = {}) => request(app).post(target).set({ authorization: 'Bearer alice', ...headers });
const ticket = (res: { body: unknown }) => res.body as Ticket;
const query = (t: Ticket) => new URL(t.url).searchParams;

beforeEach(() => {
  seen.length = 0;
});

describe('URL tickets on S3', () => {
  it.each([
    ['?url', 'GET', 'read', 'GetObject'],
    ['?url=get', 'GET', 'read', 'GetObject'],
    ['?url=head', 'HEAD', 'read', null],
    ['?url=HEAD', 'HEAD', 'read', null],
    ['?url=put', 'PUT', 'write', 'PutObject'],
  ])('%s -> a %s URL, decided as %s on the exact key', async (q, method, action, xId) => {
    const res = await post(`/files/open/a%20b.txt${q}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ method, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:9000\/signpost\/open\/a%20b\.txt\?/) as string, headers: {}, expiresAt: at(300) });
    expect(query(ticket(res)).get('x-id')).toBe(xId);
    expect(seen).toEqual([`${action} open/a b.txt`]);
  });

  it('an unknown-size PUT signs only host: any length goes, nothing about size is in the URL', async () => {
    const q = query(ticket(await post('/files/open/out.bin?url=put')));
    expect(q.get('X-Amz-SignedHeaders')).toBe('host');
    expect(ticket(await post('/files/open/out.bin?url=put')).url).not.toMatch(/content-length/i);
  });

  it('a content type and create-only are signed and returned in headers (headers or JSON)', async () => {
    const byHeaders = ticket(await post('/files/typed/o.gz?url=put', { 'X-Upload-Content-Type': 'application/gzip' }));
    expect(byHeaders.headers).toEqual({ 'content-type': 'application/gzip' });
    expect(query(byHeaders).get('X-Amz-SignedHeaders')).toBe('content-type;host');
    const byJson = ticket(await post('/files/once/o.png?url=put').send({ contentType: 'image/png', createOnly: true }));
    expect(byJson.headers).toEqual({ 'content-type': 'image/png', 'if-none-match': '*' });
    expect(query(byJson).get('X-Amz-SignedHeaders')).toBe('content-type;host;if-none-match');
    const byInm = ticket(await post('/files/once/o.png?url=put', { 'If-None-Match': '*' }));
    expect(byInm.headers).toEqual({ 'if-none-match': '*' });
  });

  it('Accept: text/plain -> the URL alone', async () => {
    const res = await post('/files/open/x.bin?url', { Accept: 'text/plain' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^http:\/\/127\.0\.0\.1:9000\/signpost\/open\/x\.bin\?X-Amz-.*x-id=GetObject\n$/);
  });

  it.each([
    ['the default', 'open/', '', 300],
    ['a shorter one asked for', 'open/', '&ttl=60', 60],
    ['a longer one asked for: capped at the default', 'open/', '&ttl=100000', 300],
    ["a rule's shorter ttl caps the one asked for", 'short/', '&ttl=60', 30],
    ["a rule's longer ttl is the bound", 'long/', '', 3600],
    ["a rule's longer ttl, shortened on request", 'long/', '&ttl=600', 600],
  ])('lifetime: %s', async (_name, folder, q, seconds) => {
    for (const method of ['get', 'put']) {
      const t = ticket(await post(`/files/${folder}x?url=${method}${q}`));
      expect(t.expiresAt).toBe(at(seconds));
      expect(query(t).get('X-Amz-Expires')).toBe(String(seconds));
    }
  });

  it('a ttl in a JSON body counts like ?ttl', async () => {
    const t = ticket(await post('/files/open/x?url').send({ ttl: 45 }));
    expect(t.expiresAt).toBe(at(45));
  });

  it('never past SigV4 7 days, whatever the rule and the default say', async () => {
    const t = ticket(await request(makeApp('s3', 604_800)).post('/files/open/x?url').set('authorization', 'Bearer alice'));
    expect(t.expiresAt).toBe(at(604_800));
  });

  it('an unknown-size PUT where the rule has a maxSize -> 411 naming the limit, and no URL', async () => {
    const res = await post('/files/sized/out.bin?url=put');
    expect(res.status).toBe(411);
    expect(res.body).toEqual({ error: 'size_required', message: expect.stringContaining('1000 bytes (the rule\'s maxSize)') as string });
    expect(res.text).not.toContain('http');
    // GET URLs there are unaffected (maxSize is about writes).
    expect((await post('/files/sized/out.bin?url')).status).toBe(200);
  });

  it.each([
    ['no type where types are constrained', '/files/typed/o?url=put', {}, 415],
    ['a type the rule refuses', '/files/typed/o?url=put', { 'X-Upload-Content-Type': 'text/html' }, 415],
    ['create-only path without create-only', '/files/once/o?url=put', {}, 428],
    ['a malformed type', '/files/open/o?url=put', { 'X-Upload-Content-Type': 'not a type' }, 400],
    ['If-None-Match other than *', '/files/open/o?url=put', { 'If-None-Match': '"abc"' }, 400],
    ['a type on a GET URL', '/files/open/o?url=get', { 'X-Upload-Content-Type': 'image/png' }, 400],
    ['create-only on a HEAD URL', '/files/open/o?url=head', { 'If-None-Match': '*' }, 400],
    ['another method', '/files/open/o?url=delete', {}, 400],
    ['ttl 0', '/files/open/o?url&ttl=0', {}, 400],
    ['ttl not a number', '/files/open/o?url&ttl=soon', {}, 400],
    ['a folder', '/files/open/?url', {}, 405],
    ['a dot-dot key', '/files/open/%2e%2e/x?url', {}, 400],
  ])('%s -> %i with a JSON error', async (_name, target, headers, status) => {
    const res = await post(target, headers);
    expect(res.status).toBe(status);
    expect((res.body as { error: string }).error).toEqual(expect.any(String));
  });

  it.each([
    ['{"ttl":1.5}', 400],
    ['{"ttl":"60"}', 400],
    ['{"contentType":5}', 400],
    ['{"createOnly":"yes"}', 400],
    ['{"size":5}', 400],
    ['[1]', 400],
    ['{nope', 400],
  ])('JSON body %s -> %i', async (json, status) => {
    const res = await post('/files/open/o?url=put', { 'Content-Type': 'application/json' }).send(json);
    expect(res.status).toBe(status);
  });

  it('honours Expect: 100-continue on a JSON body', async () => {
    const { url, close } = await listen(app);
    try {
      const json = JSON.stringify({ contentType: 'image/png', createOnly: true, ttl: 20 });
      const res = await rawRequest(url, 'POST', '/files/once/p.png?url=put', { authorization: 'Bearer alice', 'Content-Type': 'application/json', 'Content-Length': String(json.length), Expect: '100-continue' }, json);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ method: 'PUT', headers: { 'content-type': 'image/png', 'if-none-match': '*' }, expiresAt: at(20) });
    } finally {
      await close();
    }
  });

  it.each([
    ['a read-only caller asks for an output (PUT) URL', '/files/readonly/o?url=put', 'write readonly/o'],
    ['a write-only caller asks for an input (GET) URL', '/files/writeonly/i?url', 'read writeonly/i'],
    ['a write-only caller asks for a HEAD URL', '/files/writeonly/i?url=head', 'read writeonly/i'],
  ])('%s -> 403, and no URL', async (_name, target, decision) => {
    const res = await post(target, { Accept: 'text/plain' });
    expect(res.status).toBe(403);
    expect(res.text).not.toMatch(/X-Amz|http:/);
    expect(seen).toEqual([decision]);
  });

  it('anonymous -> 401 with WWW-Authenticate, and no URL', async () => {
    const res = await request(app).post('/files/open/o?url');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.text).not.toMatch(/X-Amz/);
  });
});

describe('URL tickets on Azure (SAS)', () => {
  const azure = makeApp('azure');
  const az = (target: string, headers: Record<string, string> = {}) => request(azure).post(target).set({ authorization: 'Bearer alice', ...headers });

  it.each([
    ['?url', 'GET', 'r', {}],
    ['?url=head', 'HEAD', 'r', {}],
    ['?url=put', 'PUT', 'w', { 'x-ms-blob-type': 'BlockBlob' }],
  ])('%s -> %s with sp=%s and the headers to send', async (q, method, sp, headers) => {
    const t = ticket(await az(`/files/open/a.txt${q}`));
    expect(t).toMatchObject({ method, headers, expiresAt: at(300) });
    expect(query(t).get('sp')).toBe(sp);
    expect(query(t).get('sr')).toBe('b');
  });

  it('create-only -> the c permission; the type the holder must send is returned', async () => {
    const t = ticket(await az('/files/once/o.gz?url=put').send({ contentType: 'application/gzip', createOnly: true }));
    expect(query(t).get('sp')).toBe('c');
    expect(t.headers).toEqual({ 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/gzip', 'if-none-match': '*' });
  });

  it('the SAS lives as long as asked, within the bounds', async () => {
    const t = ticket(await az('/files/short/o?url=put&ttl=10'));
    expect(t.expiresAt).toBe(at(10));
    expect(query(t).get('se')).toBe('2026-11-23T10:00:10Z');
  });
});
