/**
 * The request line and the log fence: request lines skip pino's redaction pass (src/log.ts,
 * flatLineLogger), which is sound only while every field of the line is a string, a number or null
 * (every redact path names a field inside a nested object). These requests cover every outcome
 * that fills a field (allow, deny, anonymous, error), and check the rest of the gateway's logging
 * still goes through the fence.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { createApiKey, createAuthenticator } from '../../src/auth';
import { fromAuthenticator } from '../../src/http/authenticate';
import { REDACT_PATHS } from '../../src/log';
import { compilePolicy } from '../../src/policy';
import { staticCredentials } from '../../src/signing/credentials';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';

const KEY = createApiKey({ subject: 'u0', groups: ['eng'] });
const backend = createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: staticCredentials({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-access-key-example' }) });
const log = memoryLogger();
const app = createApp({
  mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }],
  logger: log.logger,
  urlTtl: 300,
  authenticate: fromAuthenticator(createAuthenticator({ apiKeys: [KEY.entry] })),
  decide: compilePolicy({ version: 1, rules: [{ id: 'own', paths: ['home/{sub}/**'], actions: ['*'], principals: ['authenticated'], effect: 'allow' }] }).decide,
});
const bearer = `Bearer ${KEY.key}`;

describe('request lines', () => {
  it.each([
    ['allowed', '/files/home/u0/a.txt', bearer, 307],
    ['denied', '/files/home/u1/a.txt', bearer, 403],
    ['anonymous', '/files/home/u0/a.txt', undefined, 401],
    ['bad credentials', '/files/home/u0/a.txt', 'Bearer sp_nope', 401],
    ['invalid key', '/files/home/u0/a%00b', bearer, 400],
  ])('%s: one flat line of allow-listed fields, no credentials, no URL', async (_case, path, auth, status) => {
    log.lines.length = 0;
    const req = request(app).get(`${path}?token=query-secret`);
    const res = await (auth === undefined ? req : req.set('Authorization', auth));
    expect(res.status).toBe(status);
    expect(log.lines).toHaveLength(1);
    const line = JSON.parse(log.lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'request', reqId: res.headers['x-request-id'], method: 'GET', path, status });
    // null is the `rule` of a default deny: nothing nested either.
    for (const [field, value] of Object.entries(line)) expect([field, value === null ? 'null' : typeof value]).toEqual([field, expect.stringMatching(/^(string|number|null)$/)]);
    for (const secret of [KEY.key, 'query-secret', 'X-Amz', 'AKIDEXAMPLE', 'secret-access-key-example']) expect(log.lines[0]).not.toContain(secret);
  });

  it('every redact path names a nested field, so it can never match a flat line', () => {
    for (const path of REDACT_PATHS) expect(path).toMatch(/^\*\.[A-Za-z]+$/);
  });

  it('other lines still go through the redaction fence', () => {
    log.lines.length = 0;
    log.logger.warn({ storage: { secretAccessKey: 'x1', url: 'https://s3/?X-Amz-Signature=ab' }, req: { authorization: bearer } }, 'oops');
    expect(log.lines[0]).not.toMatch(/x1|X-Amz|sp_/);
    expect(JSON.parse(log.lines[0]!)).toMatchObject({ storage: { secretAccessKey: '[redacted]', url: '[redacted]' }, req: { authorization: '[redacted]' } });
  });
});
