/**
 * With logging at debug level, a session of real requests (API keys as Bearer and Basic, a JWT,
 * anonymous, denied and failed requests, uploads and downloads through curl following the
 * redirect into the embedded store) must leave no credential in any log line: no API key, JWT,
 * Basic blob, JWT secret, presigned URL, query string of one, or signature.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { curl, curlStatus } from '../support/curl';
import { rawRequest } from '../support/raw-http';
import { describeWith } from '../support/require-tool';
import { AUDIENCE, HS256_SECRET, ISSUER, startPolicyGateway, type PolicyGateway } from './hostile-support';

describeWith('curl', 'apt-get install curl')('no secrets in debug logs', () => {
  let pg: PolicyGateway;
  let dir: string;
  let jwt: string;
  const locations: string[] = [];

  beforeAll(async () => {
    pg = await startPolicyGateway('debug');
    dir = mkdtempSync(join(tmpdir(), 'signpost-secrets-'));
    jwt = await new SignJWT({ groups: ['staff'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('carol').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(new TextEncoder().encode(HS256_SECRET));
  });
  afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a session of authenticated uploads and downloads', async () => {
    const u = (key: string) => `${pg.gw.url}/files/${key}`;
    const file = join(dir, 'body.txt');
    writeFileSync(file, 'secret-free body');
    const basic = ['-u', `alice:${pg.aliceKey}`];
    const bearerKey = ['-H', `Authorization: Bearer ${pg.bobKey}`];
    const bearerJwt = ['-H', `Authorization: Bearer ${jwt}`];

    expect(await curlStatus([...basic, '-L', '--upload-file', file, u('home/alice/a.txt')])).toBe(200);
    expect((await curl([...basic, '-L', u('home/alice/a.txt')])).stdout).toBe('secret-free body');
    expect(await curlStatus([...bearerKey, '-L', '--upload-file', file, u('home/bob/b.txt')])).toBe(200);
    expect(await curlStatus([...bearerKey, '-I', '-L', u('home/bob/b.txt')])).toBe(200);
    expect(await curlStatus([...bearerJwt, '-L', '--upload-file', file, u('home/idp:carol/c.txt')])).toBe(200);
    expect(await curlStatus([...bearerJwt, '-L', '-X', 'DELETE', u('home/idp:carol/c.txt')])).toBe(204);
    expect(await curlStatus([...bearerKey, '-L', u('home/alice/a.txt')])).toBe(403);
    expect(await curlStatus(['-H', `Authorization: Bearer ${jwt}x`, u('home/idp:carol/c.txt')])).toBe(401);
    expect(await curlStatus(['-u', `:${pg.aliceKey.slice(0, -2)}zz`, u('home/alice/a.txt')])).toBe(401);
    // A presigned URL used wrongly at the store (tampered), and a credential in the query string.
    const res = await rawRequest(pg.gw.url, 'GET', `/files/home/alice/a.txt?token=${pg.aliceKey}`, { authorization: `Bearer ${pg.aliceKey}` });
    expect(res.status).toBe(307);
    locations.push(res.headers.location!);
    expect(await curlStatus([`${res.headers.location!.slice(0, -4)}0000`])).toBe(403);
    for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
      const r = await rawRequest(pg.gw.url, method, '/files/open/x.txt', method === 'PUT' ? { 'content-length': '3', expect: '100-continue' } : {});
      locations.push(r.headers.location!);
    }
    expect(await curlStatus(['-L', '--upload-file', file, u('open/y.txt')])).toBe(200);
    // URL tickets: the URL travels in the response body, which is never logged either.
    for (const which of ['get', 'head', 'put']) {
      const r = await rawRequest(pg.gw.url, 'POST', `/files/home/alice/a.txt?url=${which}`, { authorization: `Bearer ${pg.aliceKey}`, accept: 'text/plain' });
      expect(r.status).toBe(which === 'put' ? 411 : 200); // own-home has a maxSize: no unknown-size PUT URL
      if (r.status === 200) locations.push(r.body.trim());
    }
    const out = await rawRequest(pg.gw.url, 'POST', '/files/open/out.txt?url=put', { accept: 'text/plain' });
    locations.push(out.body.trim());
  });

  it('logged at debug level, but no secret anywhere in the log', () => {
    const lines = pg.gw.logLines;
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.some((l) => /"level":20/.test(l))).toBe(true); // debug lines exist, so the check means something
    const all = lines.join('\n');
    const basicBlob = Buffer.from(`alice:${pg.aliceKey}`).toString('base64');
    const forbidden = [pg.aliceKey, pg.bobKey, jwt, jwt.split('.')[2]!, HS256_SECRET, basicBlob];
    for (const secret of forbidden) expect(all).not.toContain(secret);
    for (const location of locations) {
      const url = new URL(location);
      expect(all).not.toContain(url.search.slice(1));
      expect(all).not.toContain(url.searchParams.get('X-Amz-Signature')!);
      expect(all).not.toContain(url.searchParams.get('X-Amz-Credential')!);
    }
    expect(all).not.toMatch(/X-Amz-Signature|X-Amz-Credential|x-amz-security-token/i);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(all).not.toMatch(/sp_[A-Za-z0-9_-]{43}/);
    expect(all).not.toMatch(/[0-9a-f]{64}/); // a SigV4 signature or signing key in hex
    expect(all).not.toMatch(/authorization/i);
  });
});
