/**
 * The policy layer and authentication end to end: the real server with a policy file and API
 * keys / JWTs in its config, driven by real curl with `-u :KEY` and `Authorization: Bearer`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { curl, curlStatus } from '../support/curl';
import { startGateway, type TestGateway } from '../support/gateway';
import { describeWith } from '../support/require-tool';

const SECRET = 'an-hs256-shared-secret-of-at-least-32-bytes!';
const alice = createApiKey({ subject: 'alice', groups: ['staff'] });
const partner = createApiKey({ subject: 'acme', groups: ['partners'] });

const policy = {
  version: 1,
  rules: [
    { id: 'public-read', paths: 'public/**', actions: ['read'], principals: '*', effect: 'allow' },
    { id: 'own-home', paths: 'home/{sub}/**', actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '1MB' },
    { id: 'inbox', paths: 'inbox/**', actions: ['write'], principals: 'group:partners', effect: 'allow', maxSize: 1000, contentTypes: ['image/*'] },
    { id: 'archive', paths: 'archive/**', actions: ['write', 'read'], principals: 'group:staff', effect: 'allow', createOnly: true },
    { id: 'no-exe', paths: '**/*.exe', actions: ['write'], principals: '*', effect: 'deny' },
    { id: 'staff-public', paths: 'public/**', actions: ['write'], principals: 'group:staff', effect: 'allow' },
    { id: 'alice-reports', paths: 'reports/**', actions: ['read', 'write'], principals: 'user:alice', effect: 'allow' },
  ],
};

describeWith('curl', 'apt-get install curl')('policy and authentication through curl', () => {
  let gw: TestGateway;
  let dir: string;
  const u = (key: string) => `${gw.url}/files/${key}`;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const jwt = (sub: string, expiresAt: number, groups: string[] = []) =>
    new SignJWT({ groups }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('https://idp.test').setAudience('signpost').setExpirationTime(expiresAt).sign(new TextEncoder().encode(SECRET));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-policy-'));
    const config = {
      policy,
      auth: { apiKeys: [alice.entry, partner.entry], jwt: { hs256Secret: SECRET, issuer: 'https://idp.test', audience: 'signpost', subjectNamespace: 'idp' } },
    };
    writeFileSync(join(dir, 'signpost.yaml'), stringify(config));
    gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml') } });
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an API key as the Basic password (curl -u :KEY) reaches the caller\'s own home', async () => {
    expect(await curlStatus(['-u', `:${alice.key}`, '-L', '--upload-file', file('a', 'alice data'), u('home/alice/a.txt')])).toBe(200);
    expect((await curl(['-u', `:${alice.key}`, '-L', u('home/alice/a.txt')])).stdout).toBe('alice data');
  });

  it('a Bearer API key works the same way', async () => {
    expect((await curl(['-H', `Authorization: Bearer ${alice.key}`, '-L', u('home/alice/a.txt')])).stdout).toBe('alice data');
  });

  it('someone else\'s home is 403; anonymous is 401 with WWW-Authenticate', async () => {
    expect(await curlStatus(['-u', `:${partner.key}`, '-L', u('home/alice/a.txt')])).toBe(403);
    const anon = await curl(['-i', u('home/alice/a.txt')]);
    expect(anon.stdout).toMatch(/^HTTP\/1\.1 401/);
    expect(anon.stdout).toMatch(/www-authenticate: Bearer realm="signpost"/i);
  });

  it('an unknown API key is 401', async () => {
    expect(await curlStatus(['-u', ':sp_notARealKeyAtAll0000000000000000000000000', u('home/alice/a.txt')])).toBe(401);
  });

  it('anonymous callers may read the public folder but not write it', async () => {
    expect(await curlStatus(['-u', `:${alice.key}`, '-L', '--upload-file', file('p', 'public!'), u('public/readme.txt')])).toBe(200);
    expect((await curl(['-L', u('public/readme.txt')])).stdout).toBe('public!');
    expect(await curlStatus(['-L', '--upload-file', file('p2', 'defaced'), u('public/readme.txt')])).toBe(401);
  });

  it('too large: 413 before any body byte reaches the gateway', async () => {
    gw.resetBytes();
    const status = await curlStatus(['-u', `:${partner.key}`, '-H', 'Content-Type: image/png', '-L', '--upload-file', file('big', Buffer.alloc(5000)), u('inbox/big.png')]);
    expect(status).toBe(413);
    expect(gw.bytesReceived()).toBeLessThan(1024);
  });

  it('wrong or missing type: 415; right type and size: stored', async () => {
    expect(await curlStatus(['-u', `:${partner.key}`, '-H', 'Content-Type: text/html', '-L', '--upload-file', file('h', '<b>x</b>'), u('inbox/x.html')])).toBe(415);
    expect(await curlStatus(['-u', `:${partner.key}`, '-L', '--upload-file', file('h2', 'x'), u('inbox/x.png')])).toBe(415);
    expect(await curlStatus(['-u', `:${partner.key}`, '-H', 'Content-Type: image/png', '-L', '--upload-file', file('ok', 'png'), u('inbox/ok.png')])).toBe(200);
  });

  it('deny overrides allow: no executables even in your own home', async () => {
    expect(await curlStatus(['-u', `:${alice.key}`, '-L', '--upload-file', file('e', 'MZ'), u('home/alice/tool.exe')])).toBe(403);
  });

  it('create-only: 428 without If-None-Match, 200 once, then 412 from storage', async () => {
    const auth = ['-u', `:${alice.key}`, '-L'];
    expect(await curlStatus([...auth, '--upload-file', file('c0', 'v0'), u('archive/2026.txt')])).toBe(428);
    expect(await curlStatus([...auth, '-H', 'If-None-Match: *', '--upload-file', file('c1', 'v1'), u('archive/2026.txt')])).toBe(200);
    expect(await curlStatus([...auth, '-H', 'If-None-Match: *', '--upload-file', file('c2', 'v2'), u('archive/2026.txt')])).toBe(412);
    expect((await curl([...auth, u('archive/2026.txt')])).stdout).toBe('v1');
  });

  it('a JWT bearer token: valid works, expired is 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await jwt('carol', now + 300);
    expect(await curlStatus(['-H', `Authorization: Bearer ${good}`, '-L', '--upload-file', file('j', 'jwt'), u('home/idp:carol/j.txt')])).toBe(200);
    const expired = await jwt('carol', now - 120);
    const res = await curl(['-i', '-H', `Authorization: Bearer ${expired}`, u('home/idp:carol/j.txt')]);
    expect(res.stdout).toMatch(/^HTTP\/1\.1 401/);
    expect(res.stdout).toMatch(/error="invalid_token"/);
  });

  it('a JWT with sub "alice" is not the API-key user alice: not her home, not her user:alice rule', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await curlStatus(['-u', `:${alice.key}`, '-L', '--upload-file', file('r', 'alice report'), u('reports/q1.txt')])).toBe(200);
    const posing = ['-H', `Authorization: Bearer ${await jwt('alice', now + 300)}`];
    expect(await curlStatus([...posing, u('home/alice/a.txt')])).toBe(403);
    expect(await curlStatus([...posing, u('reports/q1.txt')])).toBe(403);
    expect(await curlStatus([...posing, '-L', '--upload-file', file('r2', 'overwritten'), u('home/alice/a.txt')])).toBe(403);
    // its own home is in its issuer's namespace; an API key may never be named into that namespace
    expect(await curlStatus([...posing, '-L', '--upload-file', file('r3', 'jwt alice'), u('home/idp:alice/a.txt')])).toBe(200);
    expect((await curl(['-u', `:${alice.key}`, '-L', u('home/alice/a.txt')])).stdout).toBe('alice data');
    expect(await curlStatus(['-u', `:${alice.key}`, u('home/idp:alice/a.txt')])).toBe(403);
  });

  it('never logs a key or token', () => {
    const all = gw.logLines.join('\n');
    expect(all).not.toContain(alice.key);
    expect(all).not.toContain(partner.key);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(all).toMatch(/"rule":"no-exe"/); // but says which rule decided
  });
});
