/**
 * Optional features on the long-lived server's app: all on by default, and each one turned off
 * answers its routes with 501 and a one-line reason - before authentication or policy (a denying
 * policy still gets the 501), and without touching storage - while everything else is unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ALL_FEATURES, FEATURES, type Feature } from '../../src/config/features';
import type { Decide } from '../../src/policy/types';
import { buildWeb } from '../../src/web/build';
import type { StorageBackend } from '../../src/storage/types';
import { memoryLogger } from '../support/memory-log';
import { unreachableS3 } from '../support/unreachable-s3';

const NOW = new Date('2026-11-23T10:00:00Z');
const storageCalls: string[] = [];
const s3 = unreachableS3();
const backend: StorageBackend = {
  ...s3,
  list: (input) => {
    storageCalls.push('list');
    return Promise.resolve({ objects: [], folders: [`${input.prefix}a/`] });
  },
};

function app(off: readonly Feature[], decide?: Decide, webDir?: string) {
  const features = { ...ALL_FEATURES, ...Object.fromEntries(off.map((f) => [f, false])) };
  return createApp({
    mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }],
    logger: memoryLogger('silent').logger,
    urlTtl: 300,
    now: () => NOW,
    shareKey: 'k'.repeat(32),
    features,
    ...(decide && { decide }),
    ...(webDir !== undefined && { webDir }),
  });
}

type Call = (agent: ReturnType<typeof request>) => request.Test;
const CALLS: Readonly<Record<Feature, readonly (readonly [string, Call])[]>> = {
  multipart: [
    ['create', (a) => a.post('/files/big.iso?uploads').set('X-Upload-Length', '1000')],
    ['part URLs', (a) => a.get('/files/big.iso?uploadId=abc&parts=1-2').set('X-Upload-Length', '1000')],
    ['list parts', (a) => a.get('/files/big.iso?uploadId=abc')],
    ['complete', (a) => a.post('/files/big.iso?uploadId=abc').set('Content-Type', 'application/json').send({ parts: [{ partNumber: 1, etag: '"x"' }] })],
    ['abort', (a) => a.delete('/files/big.iso?uploadId=abc')],
  ],
  listing: [
    ['folder', (a) => a.get('/files/reports/')],
    ['root', (a) => a.get('/files/')],
  ],
  share: [
    ['create', (a) => a.post('/files/a.txt?share')],
    ['open', (a) => a.get('/files/a.txt?share=1.x')],
    ['open (HEAD)', (a) => a.head('/files/a.txt?share=1.x')],
  ],
  web: [
    ['page', (a) => a.get('/')],
    ['asset', (a) => a.get('/assets/main-ABC.js')],
  ],
  // The first one is answered without storage when on (422: no valid object).
  lfs: [
    ['batch', (a) => a.post('/lfs/acme/widgets/objects/batch').set('Content-Type', LFS_JSON).send('{}')],
    ['verify', (a) => a.post('/lfs/acme/widgets/objects/verify').set('Content-Type', LFS_JSON).send({ oid: 'a'.repeat(64), size: 1 })],
    ['list locks', (a) => a.get('/lfs/acme/widgets/locks')],
    ['lock', (a) => a.post('/lfs/acme/widgets/locks').set('Content-Type', LFS_JSON).send({ path: 'a.psd' })],
    ['verify locks', (a) => a.post('/lfs/acme/widgets/locks/verify').set('Content-Type', LFS_JSON).send('{}')],
    ['unlock', (a) => a.post(`/lfs/acme/widgets/locks/${'b'.repeat(64)}/unlock`).set('Content-Type', LFS_JSON).send('{}')],
    ['an unknown LFS path', (a) => a.get('/lfs/nowhere')],
  ],
  // Every route of src/uppy/handler.ts (UPPY_ROUTES), bare and in a session; the first is answered without storage when on.
  uppy: [
    ['params', (a) => a.get('/uppy/s3/params?filename=a.txt&type=text/plain')],
    ['session', (a) => a.post('/uppy/session').set('Content-Type', 'application/json').send({})],
    ['create multipart', (a) => a.post('/uppy/s3/multipart').set('Content-Type', 'application/json').send({ filename: 'big.iso', type: 'application/octet-stream' })],
    ['list parts', (a) => a.get('/uppy/s3/multipart/tok?key=big.iso')],
    ['sign a part', (a) => a.get('/uppy/s3/multipart/tok/1?key=big.iso')],
    ['complete', (a) => a.post('/uppy/s3/multipart/tok/complete?key=big.iso').set('Content-Type', 'application/json').send({ parts: [] })],
    ['abort', (a) => a.delete('/uppy/s3/multipart/tok?key=big.iso')],
    ['in a session', (a) => a.get('/uppy/s/sess/s3/params?filename=a.txt')],
    ['an unknown Uppy path', (a) => a.get('/uppy/nowhere')],
  ],
};
const LFS_JSON = 'application/vnd.git-lfs+json';

const deny: Decide = () => ({ effect: 'deny', rule: null, reason: 'test' });

describe.each(FEATURES)('%s turned off', (feature) => {
  const server = request(app([feature]));
  const denied = request(app([feature], deny));

  test.each(CALLS[feature])('%s: 501 feature_disabled with a one-line reason, even where the policy would deny', async (name, call) => {
    for (const agent of [server, denied]) {
      const res = await call(agent);
      expect(res.status).toBe(501);
      if (name.includes('HEAD')) continue; // no body
      const message = expect.stringMatching(new RegExp(`^[^\\n]*features\\.${feature}: false[^\\n]*$`)) as string;
      if (feature === 'lfs') {
        // In LFS's own error shape, which git-lfs shows to the user.
        expect(res.headers['content-type']).toBe(LFS_JSON);
        expect(JSON.parse(res.text)).toEqual({ message, request_id: res.headers['x-request-id'] });
      } else {
        expect(res.body).toEqual({ error: 'feature_disabled', message });
      }
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  test('the other features and the plain redirects still work', async () => {
    expect((await server.get('/files/a.txt')).status).toBe(307);
    expect((await server.get('/healthz')).status).toBe(200);
    for (const other of FEATURES.filter((f) => f !== feature && f !== 'web')) {
      const res = await CALLS[other][0]![1](server);
      expect([other, res.status === 501]).toEqual([other, false]);
    }
  });
});

test('all on by default; turning one off never asks storage', async () => {
  storageCalls.length = 0;
  const open = request(createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }], logger: memoryLogger('silent').logger, urlTtl: 300, shareKey: 'k'.repeat(32) }));
  expect((await open.get('/files/reports/')).status).toBe(200);
  expect((await open.post('/files/a.txt?share')).status).toBe(200);
  expect(storageCalls).toEqual(['list']);
  await request(app(['listing'])).get('/files/reports/');
  expect(storageCalls).toEqual(['list']);
});

test('with LFS off, a mount may have /lfs to itself; with LFS on, /lfs is the LFS server', async () => {
  const mounts = [
    { path: '/files', bucket: 'b', prefix: '', backend },
    { path: '/lfs', bucket: 'b', prefix: 'plain/', backend },
  ];
  const off = request(createApp({ mounts, logger: memoryLogger('silent').logger, urlTtl: 300, features: { ...ALL_FEATURES, lfs: false } }));
  expect((await off.get('/lfs/acme/widgets/locks')).headers.location).toMatch(/\/b\/plain\/acme\/widgets\/locks\?/);
  const on = request(app([]));
  expect((await on.get('/lfs/acme/widgets/locks')).headers['content-type']).toBe(LFS_JSON);
});

test('without multipart, the web UI sends every file with one ticketed PUT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-features-web-'));
  try {
    await buildWeb(dir);
    const threshold = async (off: readonly Feature[]) => {
      const page = await request(app(off, undefined, dir)).get('/');
      const config = /name="signpost-config" content="([^"]*)"/.exec(page.text)?.[1] ?? '';
      return (JSON.parse(config.replace(/&quot;/g, '"')) as { multipartThreshold: number }).multipartThreshold;
    };
    expect(await threshold([])).toBe(64 * 1024 * 1024);
    expect(await threshold(['multipart'])).toBe(Number.MAX_SAFE_INTEGER);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
