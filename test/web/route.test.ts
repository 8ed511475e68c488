/**
 * webRoutes as app.ts mounts it (`rest.use(webRoutes(...))` on express): the page with its CSP,
 * immutable gzip-able assets, and everything else passed on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import type { Mount } from '../../src/storage/mount';
import type { StorageBackend } from '../../src/storage/types';
import { buildWeb, type WebManifest } from '../../src/web/build';
import { webRoutes } from '../../src/web/route';

const backend = (origin: string): StorageBackend => ({
  kind: 'test',
  storageEnforces: new Set(),
  presign: (input) => Promise.resolve({ method: 'GET', url: `${origin}/${input.bucket}/${input.key}?X-Amz-Signature=x`, headers: {}, expiresAt: new Date() }),
});
const mounts: Mount[] = [
  { path: '/files', bucket: 'b', prefix: '', backend: backend('http://127.0.0.1:9999') },
  { path: '/archive', bucket: 'a', prefix: 'x/', backend: backend('https://a.s3.eu-west-1.amazonaws.com') },
];

describe('webRoutes', () => {
  let dir: string;
  let manifest: WebManifest;
  let app: express.Express;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-webroute-'));
    manifest = await buildWeb(dir);
    app = express();
    app.use(webRoutes({ dir, mounts }));
    app.use((_req, res) => {
      res.status(404).json({ error: 'not_found' });
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the page with a CSP naming every storage origin, the mounts in a meta tag, no inline code', async () => {
    const res = await request(app).get('/').expect(200);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' http://127.0.0.1:9999 https://a.s3.eu-west-1.amazonaws.com; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(res.text).toContain('content="{&quot;mounts&quot;:[&quot;/files&quot;,&quot;/archive&quot;]');
    expect(res.text).toContain(`src="/assets/${manifest.script}"`);
    expect(res.text).not.toMatch(/<script>|<style>| style=| on[a-z]+=/);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets immutable, gzipped when accepted', async () => {
    const res = await request(app).get(`/assets/${manifest.script}`).set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.text).toBe(readFileSync(join(dir, 'assets', manifest.script), 'utf8'));
    await request(app).get(`/assets/../manifest.json`).expect(404);
    await request(app).get('/assets/nope.js').expect(404);
  });

  it('passes everything else on', async () => {
    await request(app).get('/healthz').expect(404, { error: 'not_found' });
    await request(app).post('/').expect(404, { error: 'not_found' });
  });

  it('answers 404 when the UI was not built', async () => {
    const bare = express();
    bare.use(webRoutes({ dir: join(dir, 'missing'), mounts }));
    const res = await request(bare).get('/').expect(404);
    expect(res.body).toMatchObject({ message: expect.stringMatching(/not built/) as unknown });
  });
});
