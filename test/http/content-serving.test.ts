/**
 * What a stored object's type and name become, through real requests on the app (issues 14.4,
 * 15.1, 15.2, 15.3, 15.7, 15.9): the content type that is checked is exactly the one signed
 * (PUT, tickets, multipart on S3 and Azure), reads sign the type or attachment, download names
 * keep their extension and refuse bidi controls, share links cover their name and are built on
 * the configured public URL, never on Host.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/load';
import type { Authenticate } from '../../src/http/authenticate';
import type { Constraints, Decide, Principal } from '../../src/policy/types';
import { staticCredentials } from '../../src/signing/credentials';
import { startServer } from '../../src/server';
import { createAzureBackend } from '../../src/storage/azure-backend';
import { accountKeySource } from '../../src/storage/azure-keys';
import type { Mount } from '../../src/storage/mount';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';
import { listen, rawRequest } from '../support/raw-http';

const NOW = new Date('2026-11-23T10:00:00Z');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ENDPOINT = 'http://127.0.0.1:9000';
const AZURE_KEY = Buffer.alloc(32, 7).toString('base64');
const ALICE: Principal = { kind: 'user', subject: 'alice', groups: [], claims: {}, via: 'api-key' };
const asAlice: Authenticate = (req) => Promise.resolve(req.headers.authorization === 'Bearer alice' ? ALICE : { kind: 'anonymous' });

/** images/** takes image/* uploads; site/** serves active content inline; named/** may rename downloads. */
const decide: Decide = (_p, _a, key) => {
  const constraints: Constraints = key.startsWith('images/')
    ? { contentTypes: ['image/*'] }
    : key.startsWith('site/')
      ? { inlineActive: true }
      : key.startsWith('named/')
        ? { renameDownloads: true }
        : {};
  return { effect: 'allow', rule: 'test', constraints };
};

function makeApp(options: { publicUrl?: string } = {}) {
  const s3 = createS3Backend({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: staticCredentials(CREDS) });
  const azure = createAzureBackend({ account: 'acct1', endpoint: 'http://127.0.0.1:9/acct1', keys: accountKeySource(AZURE_KEY) });
  const mounts: Mount[] = [
    { path: '/files', bucket: 'signpost', prefix: '', backend: s3 },
    { path: '/blobs', bucket: 'box', prefix: '', backend: azure },
  ];
  return createApp({ mounts, logger: memoryLogger().logger, urlTtl: 300, now: () => NOW, decide, authenticate: asAlice, shareKey: 'k'.repeat(40), ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }) });
}

const query = (location: string | undefined) => new URL(location ?? 'http://missing/').searchParams;
const errorOf = (res: { body: unknown }) => res.body as { error: string; message: string };

describe('upload content types: one RFC 9110 media type, checked exactly as signed', () => {
  const app = makeApp();
  let base: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    base = await listen(app);
  });
  afterAll(() => base.close());

  it.each([
    ['image/png; x=1, text/html', 400, 'invalid_content_type'],
    ['image/png, text/html', 400, 'invalid_content_type'],
    ['image/png; x', 400, 'invalid_content_type'],
    ['text/html', 415, 'unsupported_media_type'],
    ['image/svg+xml', 200, null], // an image/* type the rule accepts; it is never served inline (see reads)
  ])('PUT images/x.png with Content-Type %j -> %i', async (type, status, code) => {
    const res = await request(app).put('/files/images/x.png').set('Content-Type', type).send('abc');
    if (status === 200) {
      expect(res.status).toBe(307);
      return;
    }
    expect(res.status).toBe(status);
    expect(errorOf(res).error).toBe(code);
    if (status === 400) expect(errorOf(res).message).toMatch(/^Content-Type is not a valid media type: /);
  });

  it('the bypass is refused with a message that names the comma', async () => {
    const res = await request(app).put('/files/images/x.png').set('Content-Type', 'image/png; x=1, text/html').send('abc');
    expect(errorOf(res).message).toMatch(/comma/);
  });

  it('a repeated Content-Type is a 400 (node itself would keep the first and drop the rest)', async () => {
    const res = await rawRequest(base.url, 'PUT', '/files/images/x.png', { 'Content-Length': '3', 'Content-Type': ['image/png', 'text/html'] }, 'abc');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'duplicate_header' });
  });

  it('the signed Content-Type is byte for byte the value that was checked (parameters, case and quoting kept)', async () => {
    const type = 'IMAGE/png; Name="a \\"b\\";c"';
    const res = await request(app).put('/files/images/x.png').set('Content-Type', type).send('abc');
    expect(res.status).toBe(307);
    const sdk = new S3Client({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: CREDS, requestChecksumCalculation: 'WHEN_REQUIRED' });
    try {
      const expected = await getSignedUrl(sdk, new PutObjectCommand({ Bucket: 'signpost', Key: 'images/x.png', ContentLength: 3, ContentType: type }), { expiresIn: 300, signingDate: NOW, signableHeaders: new Set(['content-type']) });
      expect(res.headers.location).toBe(expected);
    } finally {
      sdk.destroy();
    }
  });

  it('tickets: X-Upload-Content-Type and JSON contentType get the same grammar; the answer carries the exact value', async () => {
    const bad = await request(app).post('/files/images/x.png?upload').set('X-Upload-Length', '3').set('X-Upload-Content-Type', 'image/png; x=1, text/html');
    expect([bad.status, errorOf(bad).error]).toEqual([400, 'invalid_content_type']);
    expect(errorOf(bad).message).toMatch(/^X-Upload-Content-Type is not a valid media type: .*comma/);
    const json = await request(app).post('/files/images/x.png?upload').send({ size: 3, contentType: 'image/png; x=1, text/html' });
    expect([json.status, errorOf(json).message]).toEqual([400, expect.stringMatching(/^"contentType" is not a valid media type/)]);
    const twice = await rawRequest(base.url, 'POST', '/files/images/x.png?upload', { 'X-Upload-Length': '3', 'X-Upload-Content-Type': ['image/png', 'text/html'] });
    expect([twice.status, (JSON.parse(twice.body) as { error: string }).error]).toEqual([400, 'duplicate_header']);
    const good = await request(app).post('/files/images/x.png?upload').set('X-Upload-Length', '3').set('X-Upload-Content-Type', 'image/png;q="1"');
    expect(good.status).toBe(200);
    expect((good.body as { headers: Record<string, string> }).headers['content-type']).toBe('image/png;q="1"');
  });

  it('multipart create: the same grammar, for X-Upload-Content-Type and Content-Type alike', async () => {
    for (const header of ['X-Upload-Content-Type', 'Content-Type']) {
      const res = await request(app).post('/files/images/x.png?uploads').set('X-Upload-Length', String(20 * 1024 * 1024)).set(header, 'image/png; x=1, text/html');
      expect([res.status, errorOf(res).error, errorOf(res).message.startsWith(header)]).toEqual([400, 'invalid_content_type', true]);
    }
  });

  it('Azure multipart: a content type smuggled into the upload id is checked again at Complete (415)', async () => {
    const forged = `${'A'.repeat(20)}.${Buffer.from('text/html').toString('base64url')}`;
    const res = await request(app).post(`/blobs/images/x.png?uploadId=${forged}`).send({ parts: [{ partNumber: 1, etag: 'x' }] });
    expect([res.status, errorOf(res).error]).toEqual([415, 'unsupported_media_type']);
    const listy = `${'A'.repeat(20)}.${Buffer.from('image/png, text/html').toString('base64url')}`;
    expect((await request(app).post(`/blobs/images/x.png?uploadId=${listy}`).send({ parts: [{ partNumber: 1, etag: 'x' }] })).status).toBe(400);
  });
});

describe('reads: the type for passive extensions, attachment for everything else', () => {
  const app = makeApp();

  it.each([
    ['/files/report.pdf', 'application/pdf', null],
    ['/files/notes.txt', 'text/plain; charset=utf-8', null],
    ['/files/img/photo.JPG', 'image/jpeg', null],
    ['/files/page.html', null, 'attachment; filename="page.html"'],
    ['/files/logo.svg', null, 'attachment; filename="logo.svg"'],
    ['/files/data.bin', null, 'attachment; filename="data.bin"'],
    ['/files/site/index.html', null, null], // inlineActive: as stored
    ['/files/site/logo.svg?inline', null, 'inline; filename="logo.svg"'],
    ['/files/page.html?inline', null, 'attachment; filename="page.html"'],
    ['/files/page.html?unknown=1', null, 'attachment; filename="page.html"'],
  ])('GET %s -> response-content-type %j, response-content-disposition %j', async (target, type, disposition) => {
    const res = await request(app).get(target);
    expect(res.status).toBe(307);
    const q = query(res.headers.location);
    expect([q.get('response-content-type'), q.get('response-content-disposition')]).toEqual([type, disposition]);
  });

  it('HEAD signs no overrides (no body to render)', async () => {
    const q = query((await request(app).head('/files/page.html')).headers.location);
    expect([q.has('response-content-type'), q.has('response-content-disposition')]).toEqual([false, false]);
  });

  it('Azure: the same decisions as rsct and rscd in the SAS', async () => {
    const pdf = query((await request(app).get('/blobs/report.pdf')).headers.location);
    expect([pdf.get('rsct'), pdf.get('rscd')]).toEqual(['application/pdf', null]);
    const html = query((await request(app).get('/blobs/page.html')).headers.location);
    expect([html.get('rsct'), html.get('rscd')]).toEqual([null, 'attachment; filename="page.html"']);
  });
});

describe('download names', () => {
  const app = makeApp();

  it.each([
    ['/files/report.pdf?download=setup.exe', 400, 'download_name_extension'],
    ['/files/report.pdf?download=report.pdf.exe', 400, 'download_name_extension'],
    [`/files/report.pdf?download=${encodeURIComponent('evil\u202Egpj.exe')}`, 400, 'invalid_download_name'],
    [`/files/named/report.pdf?download=${encodeURIComponent('evil\u202Egpj.exe')}`, 400, 'invalid_download_name'],
    ['/files/report.pdf?download=a.pdf&download=b.pdf', 400, 'invalid_download_name'],
    ['/files/named/report.pdf?download=setup.exe', 307, null], // renameDownloads
    ['/files/report.pdf?download=Q3%20report.PDF', 307, null],
  ])('GET %s -> %i', async (target, status, code) => {
    const res = await request(app).get(target);
    expect(res.status).toBe(status);
    if (code !== null) expect(errorOf(res).error).toBe(code);
  });
});

describe('share links', () => {
  const create = (app: ReturnType<typeof makeApp>, target: string) => request(app).post(target).set('Authorization', 'Bearer alice');

  it('url comes from publicUrl (path kept), never from Host or X-Forwarded-*; without one only path is answered', async () => {
    const res = await create(makeApp({ publicUrl: 'https://files.example.com/gw/' }), '/files/a.txt?share')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'http');
    const link = res.body as { url: string; path: string };
    expect(link.url).toBe(`https://files.example.com/gw${link.path}`);
    const none = await create(makeApp(), '/files/a.txt?share').set('Host', 'evil.example');
    expect(none.status).toBe(200);
    expect(none.body).not.toHaveProperty('url');
    expect(JSON.stringify(none.body)).not.toContain('evil');
  });

  it('a bad publicUrl is refused when the app is built', () => {
    for (const bad of ['files.example.com', 'ftp://x.example', 'https://u:p@x.example', 'https://x.example/?a=1', 'https://x.example/#f']) {
      expect(() => makeApp({ publicUrl: bad })).toThrow();
    }
  });

  it('a named link covers its name: opened with it -> that attachment; renamed or stripped -> 403', async () => {
    const app = makeApp();
    const link = (await create(app, `/files/cv.pdf?share&download=${encodeURIComponent('CV 2026.pdf')}`)).body as { path: string };
    expect(link.path).toMatch(/\?share=\d+\.[\w-]{43}&download=CV%202026\.pdf$/);
    const opened = await request(app).get(link.path);
    expect(opened.status).toBe(307);
    expect(query(opened.headers.location).get('response-content-disposition')).toBe('attachment; filename="CV 2026.pdf"');
    expect((await request(app).get(link.path.replace('CV%202026.pdf', 'CV%202027.pdf'))).status).toBe(403);
    expect((await request(app).get(link.path.replace(/&download=.*$/, ''))).status).toBe(403);
    expect((await request(app).get(link.path.replace(/&download=.*$/, '&download=setup.exe'))).status).toBe(403);
  });

  it('an unnamed link cannot be given a name; a bare &download is still fine', async () => {
    const app = makeApp();
    const { path } = (await create(app, '/files/cv.pdf?share')).body as { path: string };
    expect((await request(app).get(`${path}&download=setup.exe`)).status).toBe(403);
    expect(query((await request(app).get(`${path}&download`)).headers.location).get('response-content-disposition')).toBe('attachment; filename="cv.pdf"');
  });

  it('creating a link that renames needs renameDownloads; the JSON body form works too', async () => {
    const app = makeApp();
    const refused = await create(app, '/files/cv.pdf?share&download=setup.exe');
    expect([refused.status, errorOf(refused).error]).toEqual([400, 'download_name_extension']);
    const allowed = await create(app, '/files/named/cv.pdf').query('share').send({ download: 'setup.exe', ttl: 60 });
    expect(allowed.status).toBe(200);
    expect((allowed.body as { path: string }).path).toMatch(/&download=setup\.exe$/);
    const bidi = await create(app, '/files/cv.pdf').query('share').send({ download: 'cv\u202Efdp.exe' });
    expect([bidi.status, errorOf(bidi).error]).toEqual([400, 'invalid_download_name']);
  });

  it('opening a link signs the same overrides as a read; active types are attachments even under inlineActive', async () => {
    const app = makeApp();
    for (const [key, type, disposition] of [
      ['files/photo.png', 'image/png', null],
      ['files/page.html', null, 'attachment; filename="page.html"'],
      ['files/site/index.html', null, 'attachment; filename="index.html"'],
    ] as const) {
      const { path } = (await create(app, `/${key}?share`)).body as { path: string };
      const q = query((await request(app).get(path)).headers.location);
      expect([key, q.get('response-content-type'), q.get('response-content-disposition')]).toEqual([key, type, disposition]);
    }
  });

  it('another spelling of the same token (the MAC\'s last character) is refused', async () => {
    const app = makeApp();
    const { path } = (await create(app, '/files/cv.pdf?share')).body as { path: string };
    const last = path.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${path.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]!}`;
    expect((await request(app).get(path)).status).toBe(307);
    expect((await request(app).get(respelled)).status).toBe(403);
    expect((await request(app).get(path.replace('share=', 'share=0'))).status).toBe(403);
  });
});

describe('the public URL from configuration and the listening address', () => {
  it('SIGNPOST_PUBLIC_URL is normalized; a bad one stops startup naming the variable', () => {
    expect(loadConfig({ SIGNPOST_PUBLIC_URL: 'HTTPS://Files.Example.com:443/gw/' }).publicUrl).toBe('https://files.example.com/gw');
    expect(() => loadConfig({ SIGNPOST_PUBLIC_URL: 'files.example.com' })).toThrow(/SIGNPOST_PUBLIC_URL \(publicUrl\): "files\.example\.com" is not an absolute URL/);
  });

  it.each([
    ['127.0.0.1', {}, (url: string) => url],
    ['127.0.0.1', { SIGNPOST_PUBLIC_URL: 'https://files.example.com' }, () => 'https://files.example.com'],
    ['0.0.0.0', {}, () => undefined], // a wildcard address is nowhere a client can go
  ])('server on %s with %j: share links are built on the expected base', async (host, env, expected) => {
    const { logger, lines } = memoryLogger('info');
    const config = loadConfig({
      PORT: '0',
      HOST: host,
      SIGNPOST_BUCKET: 'bkt',
      AWS_REGION: 'us-east-1',
      SIGNPOST_S3_ENDPOINT: ENDPOINT,
      SIGNPOST_FORCE_PATH_STYLE: 'true',
      ...env,
    });
    const running = await startServer({ ...config, policy: { version: 1, rules: [{ id: 'all', paths: ['**'], actions: ['*'], principals: ['*'], effect: 'allow' }] } }, {
      logger,
      credentialProvider: () => Promise.resolve(CREDS),
    });
    try {
      const port = new URL(running.url).port;
      const res = await rawRequest(`http://127.0.0.1:${port}`, 'POST', '/files/a.txt?share', { Host: 'evil.example', 'X-Forwarded-Proto': 'https' });
      const link = JSON.parse(res.body) as { url?: string; path: string };
      const base = expected(`http://127.0.0.1:${port}`);
      expect(link.url).toBe(base === undefined ? undefined : `${base}${link.path}`);
      if (host === '0.0.0.0') expect(lines.join('\n')).toMatch(/share links answer their path only; set SIGNPOST_PUBLIC_URL/);
    } finally {
      await running.close();
    }
  });
});
