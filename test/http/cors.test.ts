/**
 * The gateway's CORS answers (createApp with allowed origins): a preflight for every route,
 * with the headers a browser client of that route sends (the page in src/web/page, the APIs in
 * docs/transfers.md, docs/uppy.md, docs/lfs.md), must allow that method and every one of those
 * headers; so must a preflight for every operation of the OpenAPI document with the headers it
 * documents (the list CORS is built from). The real answers then carry the origin and the
 * exposed headers. Another origin gets none.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { CHALLENGE } from '../../src/http/authenticate';
import { unauthorized } from '../../src/http/errors';
import { OPENAPI } from '../../src/routes/openapi';
import { documentedRequests } from '../../src/routes/openapi-headers';
import { staticCredentials } from '../../src/signing/credentials';
import { createAzureBackend } from '../../src/storage/azure-backend';
import { accountKeySource } from '../../src/storage/azure-keys';
import type { Mount } from '../../src/storage/mount';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';

const ORIGIN = 'https://app.example';
const s3 = createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: staticCredentials({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }) });
const azure = createAzureBackend({ account: 'devstoreaccount1', endpoint: 'http://127.0.0.1:10000/devstoreaccount1', keys: accountKeySource(Buffer.alloc(32, 1).toString('base64')) });
const mounts: Mount[] = [
  { path: '/files', bucket: 'signpost', prefix: '', backend: s3 },
  { path: '/azure', bucket: 'container', prefix: '', backend: azure },
];
const app = createApp({ mounts, logger: memoryLogger().logger, urlTtl: 300, corsOrigins: [ORIGIN] });

const AUTH = 'authorization';
// [route, method, path, the request headers a browser client of it sends]
const ROUTES: readonly (readonly [string, string, string, readonly string[]])[] = [
  ['download redirect', 'GET', '/files/a.txt', [AUTH, 'range']],
  ['metadata redirect', 'HEAD', '/files/a.txt', [AUTH]],
  ['upload redirect', 'PUT', '/files/a.txt', [AUTH, 'content-type', 'if-none-match']],
  ['upload redirect to Azure', 'PUT', '/azure/a.txt', [AUTH, 'content-type', 'if-none-match', 'x-ms-blob-type']],
  ['delete redirect', 'DELETE', '/files/a.txt', [AUTH]],
  ['listing of the mount root', 'GET', '/files/', [AUTH, 'accept']],
  ['listing of a folder', 'GET', '/files/dir/?cursor=x', [AUTH, 'accept']],
  ['upload ticket (page)', 'POST', '/files/a.txt?upload', [AUTH, 'x-upload-length', 'x-upload-content-type', 'if-none-match']],
  ['upload ticket (JSON body, URL only)', 'POST', '/files/a.txt?upload', [AUTH, 'content-type', 'accept']],
  ['share link create', 'POST', '/files/a.txt?share&ttl=60', [AUTH, 'content-type']],
  ['share link open', 'GET', '/files/a.txt?share=token', []],
  ['download with a file name', 'GET', '/files/a.txt?download=b.txt', [AUTH]],
  ['multipart create', 'POST', '/files/a.bin?uploads', [AUTH, 'x-upload-length', 'x-upload-content-type', 'if-none-match']],
  ['multipart part URLs', 'GET', '/files/a.bin?uploadId=u&parts=2-3', [AUTH, 'x-upload-length']],
  ['multipart list parts', 'GET', '/files/a.bin?uploadId=u', [AUTH]],
  ['multipart complete', 'POST', '/files/a.bin?uploadId=u', [AUTH, 'content-type', 'x-upload-length', 'if-none-match']],
  ['multipart abort', 'DELETE', '/files/a.bin?uploadId=u', [AUTH]],
  ['health', 'GET', '/healthz', []],
  ['OpenAPI document', 'GET', '/openapi.json', ['accept']],
  ['Uppy session', 'POST', '/uppy/session?ttl=60', [AUTH, 'uppy-versions']],
  ['Uppy POST form', 'GET', '/uppy/s3/params?filename=a.txt', [AUTH, 'uppy-versions']],
  ['Uppy multipart create', 'POST', '/uppy/s3/multipart', [AUTH, 'content-type', 'uppy-versions']],
  ['Uppy multipart abort', 'DELETE', '/uppy/s3/multipart/token?key=a', [AUTH, 'uppy-versions']],
  ['Git LFS batch', 'POST', '/lfs/acme/widgets/objects/batch', [AUTH, 'content-type', 'accept']],
  ['Git LFS verify', 'POST', '/lfs/acme/widgets/objects/verify', ['x-signpost-lfs-verify', 'content-type', 'accept']],
];

const list = (value: string | undefined) => (value ?? '').split(',').map((h) => h.trim().toLowerCase());

describe('CORS preflight, route by route', () => {
  it.each(ROUTES)('%s: %s %s', async (_route, method, path, headers) => {
    let preflight = request(app).options(path).set('Origin', ORIGIN).set('Access-Control-Request-Method', method);
    if (headers.length > 0) preflight = preflight.set('Access-Control-Request-Headers', headers.join(','));
    const res = await preflight;
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(list(res.headers['access-control-allow-methods'])).toContain(method.toLowerCase());
    expect(headers.filter((h) => !list(res.headers['access-control-allow-headers']).includes(h))).toEqual([]);
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('the table covers every method the gateway serves', () => {
    expect(new Set(ROUTES.map(([, method]) => method))).toEqual(new Set(documentedRequests(OPENAPI).methods.filter((m) => m !== 'OPTIONS')));
  });

  it('a mount without Azure does not allow its header; an origin not configured gets no CORS answer', async () => {
    const s3Only = createApp({ mounts: [mounts[0]!], logger: memoryLogger().logger, urlTtl: 300, corsOrigins: [ORIGIN] });
    const res = await request(s3Only).options('/files/a.txt').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'PUT');
    expect(list(res.headers['access-control-allow-headers'])).not.toContain('x-ms-blob-type');

    const other = await request(app).options('/files/a.txt').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'PUT').set('Access-Control-Request-Headers', AUTH);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-headers']).toBeUndefined();
  });
});

type Op = { parameters?: readonly { name: string; in: string }[]; requestBody?: unknown };
const operations = Object.entries(OPENAPI.paths as unknown as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
  ['get', 'head', 'put', 'delete', 'post'].filter((m) => item[m] !== undefined).map((m) => {
    const op = item[m] as Op;
    const headers = [...((item.parameters ?? []) as Op['parameters'] & object), ...(op.parameters ?? [])].filter((p) => p.in === 'header').map((p) => p.name);
    return [m.toUpperCase(), path, [AUTH, ...headers, ...(op.requestBody === undefined ? [] : ['content-type'])]] as const;
  }),
);

describe('CORS preflight for every operation of the OpenAPI document, with the headers it documents', () => {
  it.each(operations)('%s %s', async (method, path, headers) => {
    const concrete = path.replace(/\{[^}]+\}/g, 'x');
    const res = await request(app).options(concrete).set('Origin', ORIGIN).set('Access-Control-Request-Method', method).set('Access-Control-Request-Headers', headers.join(','));
    expect(res.status).toBe(204);
    expect(list(res.headers['access-control-allow-methods'])).toContain(method.toLowerCase());
    expect(headers.map((h) => h.toLowerCase()).filter((h) => !list(res.headers['access-control-allow-headers']).includes(h))).toEqual([]);
  });

  it('reads headers, bodies, security schemes and negotiated answers from a document', () => {
    const doc = {
      paths: {
        '/a/{id}': {
          parameters: [{ name: 'X-Shared', in: 'header' }, { name: 'id', in: 'path' }],
          get: { parameters: [{ name: 'X-Own', in: 'header' }, { name: 'q', in: 'query' }], responses: { '200': { content: { 'application/json': {}, 'text/html': {} } } } },
        },
        '/b': { put: { requestBody: {} }, delete: {} },
      },
      components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' }, q: { type: 'apiKey', in: 'query', name: 'key' } } },
    };
    expect(documentedRequests(doc)).toEqual({ methods: ['GET', 'PUT', 'DELETE'], requestHeaders: ['accept', 'content-type', 'x-api-key', 'x-own', 'x-shared'] });
    expect(documentedRequests({ paths: {}, components: { securitySchemes: { b: { type: 'http' } } } }).requestHeaders).toEqual(['authorization']);
  });
});

describe('CORS on the answers themselves', () => {
  it.each([
    ['a redirect', 'GET', '/files/a.txt', 307],
    ['an upload ticket', 'POST', '/files/a.txt?upload', 200],
    ['a refusal', 'GET', '/files/a/%2e%2e/b', 400],
    ['a method not allowed', 'PATCH', '/files/a.txt', 405],
  ])('%s carries the origin and exposes Location, X-Request-Id, WWW-Authenticate, Retry-After, Allow', async (_what, method, path, status) => {
    const res = await request(app)[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'](path).set('Origin', ORIGIN).set('X-Upload-Length', '3');
    expect(res.status).toBe(status);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(list(res.headers['access-control-expose-headers'])).toEqual(['location', 'x-request-id', 'www-authenticate', 'retry-after', 'allow']);
  });

  it('a 401 carries the origin, and its WWW-Authenticate is readable', async () => {
    const guarded = createApp({ mounts, logger: memoryLogger().logger, urlTtl: 300, corsOrigins: [ORIGIN], authenticate: () => Promise.reject(unauthorized('bad key', CHALLENGE)) });
    const res = await request(guarded).get('/files/a.txt').set('Origin', ORIGIN).set('Authorization', 'Bearer nope');
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['www-authenticate']).toBeDefined();
    expect(list(res.headers['access-control-expose-headers'])).toContain('www-authenticate');
  });
});
