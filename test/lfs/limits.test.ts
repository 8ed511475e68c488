/**
 * The rate limit on LFS endpoints (429 with Retry-After, in LFS's error shape), taken once per
 * request like everywhere else, by principal or by client address; the verify action's token
 * callers count by address. Nothing here reaches storage: the limit answers first.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { EMPTY_OID } from '../../src/lfs/paths';
import type { StorageBackend } from '../../src/storage/types';
import { memoryLogger } from '../support/memory-log';

const unreachable: StorageBackend = {
  kind: 'unreachable',
  storageEnforces: new Set(['createOnly']),
  presign: () => Promise.reject(new Error('storage is not part of this test')),
};
const appWith = (burst: number) => createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend: unreachable }], logger: memoryLogger().logger, urlTtl: 60, rateLimit: { perSecond: 0.001, burst } });
const LFS_JSON = 'application/vnd.git-lfs+json';

describe('rate limits on the LFS endpoints', () => {
  it('a batch request takes one token, however many objects it names; then 429 in LFS\'s shape', async () => {
    const app = appWith(1);
    const objects = Array.from({ length: 50 }, (_, i) => ({ oid: i.toString(16).padStart(64, 'a'), size: 1 }));
    const batch = () => request(app).post('/lfs/acme/objects/batch').set('Content-Type', LFS_JSON).send(JSON.stringify({ operation: 'download', objects }));
    expect((await batch()).status).not.toBe(429);
    const limited = await batch();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.headers['content-type']).toBe(LFS_JSON);
    expect((limited.body as { message: string }).message).toMatch(/rate limit/);
  });

  it('verify callers holding only the action\'s token are limited by address', async () => {
    const app = appWith(2);
    const verify = () => request(app).post('/lfs/acme/objects/verify').set('Content-Type', LFS_JSON).set('X-Signpost-Lfs-Verify', '1.bogus').send(JSON.stringify({ oid: EMPTY_OID, size: 0 }));
    expect((await verify()).status).toBe(403);
    expect((await verify()).status).toBe(403);
    expect((await verify()).status).toBe(429);
  });
});
