/**
 * The Uppy endpoint's tokens: what one instance signs another with the same share key accepts
 * (several servers, Lambda containers), a different key or purpose does not, any change to the
 * signed text is refused, expiry is exact; and the endpoint's fail-closed and rate-limit rules
 * on an app with an Azure mount (no POST policy, part PUTs without ETags).
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { createApiKey, createAuthenticator } from '../../src/auth';
import { fromAuthenticator } from '../../src/http/authenticate';
import { accountKeySource } from '../../src/storage/azure-keys';
import { createAzureBackend } from '../../src/storage/azure-backend';
import { createUppyTokens, type UploadGrant } from '../../src/uppy/tokens';
import { memoryLogger } from '../support/memory-log';

const KEY = 'a-share-key-of-at-least-thirty-two-characters';
const alice = { kind: 'user', subject: 'alice', groups: ['staff'], claims: { dept: 'eng' }, via: 'api-key' } as const;
const grant: UploadGrant = { mountPath: '/files', key: 'home/alice/a.bin', uploadId: 'storage-upload-id', principal: 'api-key:alice' };
const NOW = 1_800_000_000;

describe('Uppy tokens', () => {
  it('instances sharing the share key accept each other\'s tokens', () => {
    const [one, two] = [createUppyTokens(KEY), createUppyTokens(KEY)];
    expect(two.openSession(one.sealSession(alice, NOW + 60), NOW)).toEqual({ ok: true, value: alice });
    expect(two.openUpload(one.sealUpload(grant, NOW + 60), NOW)).toEqual({ ok: true, value: grant });
    expect(one.ephemeral).toBe(false);
  });

  it('another key, a key generated at start, or the other purpose: invalid', () => {
    const token = createUppyTokens(KEY).sealUpload(grant, NOW + 60);
    expect(createUppyTokens(`${KEY}-rotated`).openUpload(token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(createUppyTokens().openUpload(token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(createUppyTokens(KEY).openSession(token, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses any edit of the signed text, and tokens too long to carry', () => {
    const tokens = createUppyTokens(KEY);
    const token = tokens.sealUpload(grant, NOW + 60);
    const [body, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(body, 'base64url').toString().replace('alice/a.bin', 'bob/a.bin')).toString('base64url');
    for (const bad of [`${forged}.${mac}`, `${body}.${mac.slice(0, -1)}A`, `${body}x.${mac}`, `${body}.${mac}.`, '', 'x'.repeat(5000)]) {
      expect(tokens.openUpload(bad, NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('expires at exactly its expiry', () => {
    const tokens = createUppyTokens(KEY);
    const token = tokens.sealSession(alice, NOW + 60);
    expect(tokens.openSession(token, NOW + 59).ok).toBe(true);
    expect(tokens.openSession(token, NOW + 60)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('the Uppy endpoint on a mount it cannot serve, and under a rate limit', () => {
  const key = createApiKey({ subject: 'alice' });
  const azure = createAzureBackend({ account: 'devstoreaccount1', endpoint: 'http://127.0.0.1:1/devstoreaccount1', keys: accountKeySource(Buffer.alloc(32, 1).toString('base64')) });
  const app = createApp({
    mounts: [{ path: '/files', bucket: 'c', prefix: '', backend: azure }],
    logger: memoryLogger().logger,
    urlTtl: 60,
    authenticate: fromAuthenticator(createAuthenticator({ apiKeys: [key.entry] })),
    rateLimit: { perSecond: 0.001, burst: 3 },
  });

  it('Azure (no POST policy, block PUTs answer no ETag): 501 for forms and multipart alike, then 429 past the burst', async () => {
    const params = await request(app).get('/uppy/s3/params?filename=a.txt&type=text/plain').set('Authorization', `Bearer ${key.key}`);
    expect([params.status, (params.body as { error: string }).error]).toEqual([501, 'not_implemented']);
    const created = await request(app).post('/uppy/s3/multipart').set('Authorization', `Bearer ${key.key}`).send({ filename: 'a.bin', type: 'application/octet-stream', metadata: {} });
    expect(created.status).toBe(501);
    expect((await request(app).post('/uppy/session').set('Authorization', `Bearer ${key.key}`)).status).toBe(201);
    const limited = await request(app).get('/uppy/s3/params?filename=a.txt').set('Authorization', `Bearer ${key.key}`);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });
});
