/**
 * Every answer carries the security headers and its X-Request-Id, however it is written: the plain
 * redirect sends them in one writeHead (http/security-headers.ts, writeRedirect), its errors and
 * every other route set them when the request arrives (app.ts). One table over the outcomes of
 * the files path and its neighbours, with and without CORS headers set before the head.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { createApiKey, createAuthenticator } from '../../src/auth';
import { fromAuthenticator } from '../../src/http/authenticate';
import { compilePolicy } from '../../src/policy';
import { CredentialsUnavailable, staticCredentials } from '../../src/signing/credentials';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';

const KEY = createApiKey({ subject: 'u0' });
const creds = staticCredentials({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-access-key-example' });
const backend = (credentials = creds) => createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials });
const broken = backend({ get: () => Promise.reject(new CredentialsUnavailable('no credentials')) });
const app = createApp({
  mounts: [
    { path: '/files', bucket: 'b', prefix: '', backend: backend() },
    { path: '/broken', bucket: 'b', prefix: '', backend: broken },
  ],
  logger: memoryLogger('silent').logger,
  urlTtl: 300,
  corsOrigins: ['https://app.example'],
  authenticate: fromAuthenticator(createAuthenticator({ apiKeys: [KEY.entry] })),
  decide: compilePolicy({ version: 1, rules: [{ id: 'own', paths: ['home/{sub}/**'], actions: ['*'], principals: ['authenticated'], effect: 'allow' }, { id: 'pub', paths: ['**'], actions: ['read'], principals: ['*'], effect: 'allow' }] }).decide,
});
const bearer = `Bearer ${KEY.key}`;

const SECURITY = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
};

describe.each([
  ['no Origin', undefined],
  ['a CORS Origin (headers set before the head)', 'https://app.example'],
])('with %s', (_name, origin) => {
  it.each([
    ['redirect', 'GET', '/files/home/u0/a.txt', 307, bearer],
    ['HEAD redirect', 'HEAD', '/files/home/u0/a.txt', 307, bearer],
    ['denied', 'DELETE', '/files/home/u1/a.txt', 403, bearer],
    ['anonymous', 'PUT', '/files/home/u0/a.txt', 401, undefined],
    ['bad key', 'GET', '/files/a%00b', 400, undefined],
    ['method', 'PATCH', '/files/a.txt', 405, undefined],
    ['no credentials for storage', 'GET', '/broken/a.txt', 503, undefined],
    ['OPTIONS', 'OPTIONS', '/files/a.txt', 204, undefined],
    ['not found', 'GET', '/nowhere', 404, undefined],
    ['health', 'GET', '/healthz', 200, undefined],
  ])('%s: %s %s -> %d carries the security headers and a request id', async (_case, method, path, status, auth) => {
    let req = request(app)[method.toLowerCase() as 'get'](path);
    if (auth !== undefined) req = req.set('Authorization', auth);
    if (origin !== undefined) req = req.set('Origin', origin);
    const res = await req;
    expect(res.status).toBe(status);
    expect(res.headers).toMatchObject(SECURITY);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    if (origin !== undefined) expect(res.headers['access-control-allow-origin']).toBe(origin);
    if (status === 307) {
      expect(res.headers).toMatchObject({ 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' });
      expect(res.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:9000\/b\/home\/u0\/a\.txt\?/);
      // The one-line body names the Location (for curl without -L); HEAD gets its length, no body.
      expect(Number(res.headers['content-length'])).toBe(`Redirecting to ${res.headers.location as string} (curl: add -L to follow redirects)\n`.length);
    }
  });
});
