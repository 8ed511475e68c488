import { SignJWT, UnsecuredJWT } from 'jose';
import { createApiKey, createAuthenticator, type AuthIo, type AuthResult } from '../../src/auth';
import { AUDIENCE, ISSUER, keyPair, mint, NOW, NOW_S, SECRET, type KeyPair } from './jwt-fixtures';

const io = (files: Record<string, string> = {}, env: Record<string, string> = {}): AuthIo => ({
  env,
  readFile: (p) => {
    const f = files[p];
    if (f === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return f;
  },
});

const jwtConfig = { hs256Secret: SECRET, issuer: ISSUER, audience: AUDIENCE };

/** The result, after checking the token never leaks into the message. */
async function auth(authenticate: ReturnType<typeof createAuthenticator>, token: string, now = NOW): Promise<AuthResult> {
  const r = await authenticate(`Bearer ${token}`, now);
  if (!r.ok) for (const part of token.split('.')) if (part.length > 4) expect(r.message).not.toContain(part);
  return r;
}

describe('HS256 tokens', () => {
  const authenticate = createAuthenticator({ jwt: jwtConfig });

  it('accepts a valid token and builds the principal from sub and groups', async () => {
    const r = await auth(authenticate, await mint());
    expect(r).toEqual({ ok: true, principal: expect.objectContaining({ kind: 'user', subject: 'alice', groups: ['eng', 'ops'], via: 'jwt' }) as unknown });
    expect(r.ok && r.principal.kind === 'user' && r.principal.claims).toMatchObject({ iss: ISSUER, sub: 'alice' });
  });

  it.each([
    ['expired beyond the tolerance', { exp: NOW_S - 31 }, 'expired', /expired/],
    ['nbf in the future', { nbf: NOW_S + 120 }, 'invalid', /not valid yet/],
    ['wrong issuer', { iss: 'https://evil.test' }, 'invalid', /"iss"/],
    ['wrong audience', { aud: 'other-app' }, 'invalid', /"aud"/],
    ['no exp', { exp: undefined }, 'invalid', /"exp" is missing/],
    ['no subject', { sub: undefined }, 'invalid', /"sub"/],
    ['empty subject', { sub: '' }, 'invalid', /"sub"/],
    ['groups of the wrong type', { groups: [1, 2] }, 'invalid', /"groups"/],
  ])('rejects a token with %s', async (_name, claims, reason, message) => {
    // Built in the test, not shared: mutation testing counts code as covered by the tests that run it.
    const r = await auth(createAuthenticator({ jwt: jwtConfig }), await mint({ claims }));
    expect(r).toMatchObject({ ok: false, reason, message: expect.stringMatching(message) as string });
  });

  it.each([
    ['expired, within the 30 s tolerance', { exp: NOW_S - 29 }],
    ['nbf slightly ahead, within the tolerance', { nbf: NOW_S + 29 }],
    ['audience in a list', { aud: ['x', AUDIENCE] }],
  ])('accepts a token %s', async (_name, claims) => {
    expect((await auth(authenticate, await mint({ claims }))).ok).toBe(true);
  });

  it('uses the clock it is given', async () => {
    const token = await mint();
    expect((await auth(authenticate, token, new Date((NOW_S + 700) * 1000))).ok).toBe(false);
    expect((await auth(authenticate, token, new Date((NOW_S - 100) * 1000))).ok).toBe(true);
  });

  it.each([
    ['signed with another secret', async () => mint({ key: new TextEncoder().encode('another-secret-of-enough-length-123456') }), 'invalid', /signature/],
    ['alg none', async () => Promise.resolve(new UnsecuredJWT({ sub: 'root', iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 60 }).encode()), 'invalid', /algorithm/],
    ['HS512 when only HS256 is allowed', async () => mint({ alg: 'HS512' }), 'invalid', /algorithm/],
    ['a tampered payload', async () => (await mint()).replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ sub: 'root', exp: NOW_S + 60 })).toString('base64url')}.`), 'invalid', /signature/],
    ['garbage in JWT shape', async () => Promise.resolve('aaaa.bbbb.cccc'), 'malformed', /well-formed/],
  ])('rejects a token %s', async (_name, make, reason, message) => {
    const r = await auth(authenticate, await make());
    expect(r).toMatchObject({ ok: false, reason, message: expect.stringMatching(message) as string });
  });

  it('rejects an oversized token cheaply', async () => {
    const big = await mint({ claims: { pad: 'x'.repeat(9000) } });
    expect(await auth(authenticate, big)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('reads groups from a space-separated string and nested claims', async () => {
    const a = createAuthenticator({ jwt: { ...jwtConfig, subjectClaim: 'email', groupsClaim: 'realm_access.roles' } });
    const r = await auth(a, await mint({ claims: { email: 'a@x.test', realm_access: { roles: ['admin'] } } }));
    expect(r).toMatchObject({ ok: true, principal: { subject: 'a@x.test', groups: ['admin'] } });
    const s = await auth(authenticate, await mint({ claims: { groups: ' eng  ops ' } }));
    expect(s).toMatchObject({ ok: true, principal: { groups: ['eng', 'ops'] } });
  });

  it('takes the secret from an environment variable or a file', async () => {
    const token = await mint();
    const fromEnv = createAuthenticator({ jwt: { secretEnv: 'JWT_SECRET' } }, io({}, { JWT_SECRET: SECRET }));
    const fromFile = createAuthenticator({ jwt: { secretFile: '/s' } }, io({ '/s': `${SECRET}\n` }));
    expect((await auth(fromEnv, token)).ok).toBe(true);
    expect((await auth(fromFile, token)).ok).toBe(true);
  });

  it('strips only the one line end an editor adds to a secret file, CRLF too', async () => {
    const secret = `${SECRET}\nline two`;
    const token = await mint({ key: new TextEncoder().encode(secret) });
    for (const file of [`${secret}\n`, `${secret}\r\n`, secret]) {
      const fromFile = createAuthenticator({ jwt: { secretFile: '/s' } }, io({ '/s': file }));
      expect((await auth(fromFile, token)).ok).toBe(true);
    }
  });
});

describe('RS256 and ES256 tokens from a JWKS file', () => {
  let rs: KeyPair, es: KeyPair, jwks: string;
  beforeAll(async () => {
    [rs, es] = await Promise.all([keyPair('RS256'), keyPair('ES256')]);
    jwks = JSON.stringify({ keys: [rs.publicJwk, es.publicJwk] });
  });
  // Built by each test, not in beforeAll: mutation testing counts code as covered by the tests that run it.
  const authenticate: ReturnType<typeof createAuthenticator> = (header, now) => createAuthenticator({ jwt: { jwksFile: '/jwks.json', issuer: ISSUER, audience: AUDIENCE } }, io({ '/jwks.json': jwks }))(header, now);

  it.each(['RS256', 'ES256'] as const)('accepts %s', async (alg) => {
    const k = alg === 'RS256' ? rs : es;
    expect(await auth(authenticate, await mint({ alg, key: k.privateKey, kid: k.kid }))).toMatchObject({ ok: true, principal: { subject: 'alice' } });
  });

  it('rejects an unknown kid', async () => {
    const other = await keyPair('ES256', 'other');
    expect(await auth(authenticate, await mint({ alg: 'ES256', key: other.privateKey, kid: 'other' }))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects HS256 signed with the RSA public key as the secret (algorithm confusion)', async () => {
    const forged = await new SignJWT({ sub: 'root', iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: rs.kid })
      .sign(new TextEncoder().encode(rs.publicPem));
    expect(await auth(authenticate, forged)).toMatchObject({ ok: false, reason: 'invalid', message: 'token algorithm is not allowed' });
  });

  it('rejects RS256 tokens when configured with a shared secret', async () => {
    const hs = createAuthenticator({ jwt: jwtConfig });
    expect(await auth(hs, await mint({ alg: 'RS256', key: rs.privateKey, kid: rs.kid }))).toMatchObject({ ok: false, message: 'token algorithm is not allowed' });
  });

  it('honours an explicit algorithm list', async () => {
    const esOnly = createAuthenticator({ jwt: { jwksFile: '/j', algorithms: ['ES256'] } }, io({ '/j': JSON.stringify({ keys: [rs.publicJwk, es.publicJwk] }) }));
    expect((await auth(esOnly, await mint({ alg: 'RS256', key: rs.privateKey, kid: rs.kid }))).ok).toBe(false);
    expect((await auth(esOnly, await mint({ alg: 'ES256', key: es.privateKey, kid: es.kid }))).ok).toBe(true);
  });
});

describe('one authenticator, every credential', () => {
  it('handles anonymous, API keys over Bearer and Basic, and JWTs side by side', async () => {
    const { key, entry } = createApiKey({ subject: 'ci', groups: ['deploy'] });
    const a = createAuthenticator({ apiKeys: [entry], jwt: { ...jwtConfig, subjectNamespace: 'idp' } });
    expect(await a(undefined, NOW)).toEqual({ ok: true, principal: { kind: 'anonymous' } });
    expect(await a(`Bearer ${key}`, NOW)).toMatchObject({ ok: true, principal: { subject: 'ci', via: 'api-key' } });
    expect(await a(`Basic ${Buffer.from(`:${key}`).toString('base64')}`, NOW)).toMatchObject({ ok: true, principal: { subject: 'ci' } });
    expect(await a(`Bearer ${await mint()}`, NOW)).toMatchObject({ ok: true, principal: { subject: 'idp:alice', via: 'jwt' } });
    const unknown = createApiKey({ subject: 'x' }).key;
    const r = await a(`Bearer ${unknown}`, NOW);
    expect(r).toEqual({ ok: false, reason: 'invalid', message: 'unknown API key' });
  });

  it('refuses JWTs when none are configured', async () => {
    expect(await createAuthenticator({})(`Bearer ${await mint()}`, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
