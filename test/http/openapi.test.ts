/**
 * GET /openapi.json: every documented path+method answers on the app (not 404, not 405), and
 * every route the app serves (express routes, the files methods, the query-dispatch table) is
 * documented.
 */
import request from 'supertest';
import { createMetrics } from '../../src/http/metrics';
import { createApp, EXPRESS_ROUTES } from '../../src/app';
import { LFS_ROUTES } from '../../src/lfs/route';
import { QUERY_ROUTES } from '../../src/routes/dispatch';
import { FILE_METHODS } from '../../src/routes/files';
import { OPENAPI } from '../../src/routes/openapi';
import { UPPY_ROUTES } from '../../src/uppy/handler';
import type { Mount } from '../../src/storage/mount';
import type { StorageBackend } from '../../src/storage/types';
import { memoryLogger } from '../support/memory-log';

const backend: StorageBackend = {
  kind: 'fake',
  storageEnforces: new Set(['createOnly']), // with list: a backend that can keep LFS locks
  presign: (i) => Promise.resolve({ method: 'GET', url: `http://store.test/${i.key}`, headers: {}, expiresAt: new Date(i.now.getTime() + 1000) }),
  list: () => Promise.resolve({ objects: [], folders: [] }),
};
const mounts: Mount[] = [{ path: '/files', bucket: 'b', prefix: '', backend }];
const { logger } = memoryLogger();
const app = createApp({ mounts, logger, urlTtl: 300, metrics: createMetrics(), metricsToken: 't'.repeat(32) });

const METHODS = ['get', 'head', 'put', 'delete', 'options', 'post'] as const;
type Op = { parameters?: readonly { name: string; in: string }[] };
const paths = OPENAPI.paths as unknown as Record<string, Partial<Record<(typeof METHODS)[number], Op>>>;
const documented = Object.entries(paths).flatMap(([path, item]) => METHODS.filter((m) => item[m] !== undefined).map((m) => ({ path, method: m, op: item[m]! })));

/** A concrete request for a documented operation: example path parameters, and the selecting query flag. */
function target(path: string, method: string): string {
  const concrete = path.replace('{key}', 'docs/a.txt').replace('{folder}', 'docs').replace('{repo}', 'acme/widgets').replace('{id}', 'not-a-lock-id');
  if (method === 'post') return `${concrete}?share`;
  return concrete;
}

describe('the OpenAPI document', () => {
  it('is served as JSON, OpenAPI 3.1', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect((res.body as { openapi: string }).openapi).toBe('3.1.0');
    expect(res.body).toEqual(JSON.parse(JSON.stringify(OPENAPI)));
  });

  it.each(documented.map((d) => [d.method.toUpperCase(), d.path] as const))('%s %s answers', async (method, path) => {
    const res = await request(app)[method.toLowerCase() as (typeof METHODS)[number]](target(path, method.toLowerCase())).set('Content-Length', method === 'PUT' ? '3' : '0');
    expect(res.status).not.toBe(404);
    expect(res.status).not.toBe(405);
    expect(res.status).toBeLessThan(500);
  });

  it('the POST query routes answer too (?upload)', async () => {
    expect((await request(app).post('/files/a.txt?upload').set('X-Upload-Length', '1')).status).toBe(200);
  });

  it('every express route is documented', () => {
    for (const r of EXPRESS_ROUTES) expect(paths[r.path]?.[r.method.toLowerCase() as (typeof METHODS)[number]]).toBeDefined();
  });

  it('every Git LFS route is documented', () => {
    const paths: Record<string, string> = { batch: '/lfs/{repo}/objects/batch', 'verify-object': '/lfs/{repo}/objects/verify', locks: '/lfs/{repo}/locks', 'verify-locks': '/lfs/{repo}/locks/verify', unlock: '/lfs/{repo}/locks/{id}/unlock' };
    for (const [endpoint, methods] of Object.entries(LFS_ROUTES)) {
      for (const m of Object.keys(methods)) expect(paths[endpoint] && (OPENAPI.paths as Record<string, Record<string, unknown>>)[paths[endpoint]]?.[m.toLowerCase()]).toBeDefined();
    }
  });

  it('every Uppy route is documented', () => {
    for (const r of UPPY_ROUTES) expect(paths[r.path]?.[r.method.toLowerCase() as (typeof METHODS)[number]]).toBeDefined();
  });

  it('every files method and every query-dispatched route is documented', () => {
    for (const m of FILE_METHODS) expect(paths['/files/{key}']?.[m.toLowerCase() as (typeof METHODS)[number]]).toBeDefined();
    for (const r of QUERY_ROUTES) {
      const m = r.method.toLowerCase() as (typeof METHODS)[number];
      if (r.path === 'folder') {
        expect(paths['/files/{folder}/']?.[m]).toBeDefined();
        expect(paths['/files/']?.[m]).toBeDefined();
        continue;
      }
      const op = paths['/files/{key}']?.[m];
      expect(op).toBeDefined();
      expect(op?.parameters?.some((p) => p.in === 'query' && p.name === r.query)).toBe(true);
    }
  });
});
