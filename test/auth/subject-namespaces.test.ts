/**
 * Subject namespaces (issue 15.8): a JWT's subject and an API key's subject are different
 * principals unless the config maps them together, for `{sub}` homes and `user:` rules alike,
 * and for each issuer of a multi-issuer section. Config problems are found once, at load.
 */
import { createApiKey, createAuthenticator, parseAuthConfig, type Authenticator } from '../../src/auth';
import { compilePolicy } from '../../src/policy';
import type { Principal } from '../../src/policy/types';
import { AUDIENCE, ISSUER, mint, NOW, SECRET } from './jwt-fixtures';

const OTHER = 'https://other.test';
const alice = createApiKey({ subject: 'alice' });
const jwt = { hs256Secret: SECRET, audience: AUDIENCE };

const policy = compilePolicy({
  version: 1,
  rules: [
    { id: 'home', paths: 'home/{sub}/**', actions: '*', principals: 'authenticated', effect: 'allow' },
    { id: 'alice-reports', paths: 'reports/**', actions: ['read'], principals: 'user:alice', effect: 'allow' },
    { id: 'idp-alice-drop', paths: 'drop/**', actions: ['write'], principals: 'user:idp:alice', effect: 'allow' },
  ],
});

async function principal(a: Authenticator, authorization: string): Promise<Principal> {
  const r = await a(authorization, NOW);
  if (!r.ok) throw new Error(r.message);
  return r.principal;
}
const token = async (sub: string, iss = ISSUER): Promise<string> => `Bearer ${await mint({ claims: { sub, iss } })}`;

describe('config: namespaces are chosen explicitly where subjects could collide', () => {
  it.each([
    ['API keys and JWTs, no namespace', { apiKeys: [alice.entry], jwt: { ...jwt, issuer: ISSUER } }, /jwt\.subjectNamespace: required when API keys are configured too/],
    ['several issuers, no namespace', { jwt: { ...jwt, issuer: [ISSUER, OTHER] } }, /jwt\.subjectNamespace: required when jwt\.issuer lists several issuers/],
    ['a per-issuer map missing an issuer', { jwt: { ...jwt, issuer: [ISSUER, OTHER], subjectNamespace: { [ISSUER]: 'a' } } }, /jwt\.subjectNamespace: has no namespace for issuer https:\/\/other\.test/],
    ['a per-issuer map naming an unknown issuer', { jwt: { ...jwt, issuer: ISSUER, subjectNamespace: { [ISSUER]: 'a', 'https://x.test': 'x' } } }, /jwt\.subjectNamespace\.https:\/\/x\.test: is not one of jwt\.issuer/],
    ['a per-issuer map without issuers', { jwt: { ...jwt, subjectNamespace: { [ISSUER]: 'a' } } }, /is not one of jwt\.issuer/],
    ['a name with a colon', { jwt: { ...jwt, subjectNamespace: 'a:b' } }, /jwt\.subjectNamespace/],
    ['a name with a slash', { jwt: { ...jwt, subjectNamespace: 'a/b' } }, /jwt\.subjectNamespace/],
    ['an upper-case name', { jwt: { ...jwt, subjectNamespace: 'IdP' } }, /jwt\.subjectNamespace/],
    ['an API-key subject inside the JWT namespace', { apiKeys: [{ hash: 'b'.repeat(64), subject: 'idp:mallory' }], jwt: { ...jwt, subjectNamespace: 'idp' } }, /apiKeys\[0\]\.subject: must not start with "idp:"/],
  ])('refuses %s', (_what, raw, problem) => {
    const r = parseAuthConfig(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join('\n')).toMatch(problem);
  });

  it.each([
    ['JWTs alone, one issuer', { jwt: { ...jwt, issuer: ISSUER } }],
    ['JWTs alone, no issuer check', { jwt }],
    ['API keys alone', { apiKeys: [alice.entry] }],
    ['API keys and a JWT namespace', { apiKeys: [alice.entry], jwt: { ...jwt, subjectNamespace: 'idp' } }],
    ['API keys and JWTs mapped together on purpose', { apiKeys: [alice.entry], jwt: { ...jwt, subjectNamespace: '' } }],
    ['several issuers, one per namespace', { jwt: { ...jwt, issuer: [ISSUER, OTHER], subjectNamespace: { [ISSUER]: 'a', [OTHER]: 'b' } } }],
    ['several issuers joined under one name', { jwt: { ...jwt, issuer: [ISSUER, OTHER], subjectNamespace: 'idp' } }],
  ])('accepts %s', (_what, raw) => {
    expect(parseAuthConfig(raw)).toMatchObject({ ok: true });
  });
});

describe('the attack: a JWT with sub "alice" next to the API-key user alice', () => {
  const separate = createAuthenticator({ apiKeys: [alice.entry], jwt: { ...jwt, issuer: ISSUER, subjectNamespace: 'idp' } });

  it('the token is idp:alice, whose {sub} home and user: rules are its own', async () => {
    const posing = await principal(separate, await token('alice'));
    expect(posing).toMatchObject({ subject: 'idp:alice', via: 'jwt' });
    expect(policy.decide(posing, 'read', 'home/alice/cv.pdf')).toMatchObject({ effect: 'deny' });
    expect(policy.decide(posing, 'write', 'home/alice/cv.pdf')).toMatchObject({ effect: 'deny' });
    expect(policy.decide(posing, 'read', 'reports/q1.pdf')).toMatchObject({ effect: 'deny' });
    expect(policy.decide(posing, 'read', 'home/idp:alice/cv.pdf')).toMatchObject({ effect: 'allow', rule: 'home' });
    expect(policy.decide(posing, 'write', 'drop/x')).toMatchObject({ effect: 'allow', rule: 'idp-alice-drop' });
    expect(policy.explain(posing, 'read', 'home/idp:alice/cv.pdf').matched[0]?.bound).toEqual({ sub: 'idp:alice' });
  });

  it('the API key is alice, as before', async () => {
    const real = await principal(separate, `Bearer ${alice.key}`);
    expect(real).toMatchObject({ subject: 'alice', via: 'api-key' });
    expect(policy.decide(real, 'read', 'home/alice/cv.pdf')).toMatchObject({ effect: 'allow' });
    expect(policy.decide(real, 'read', 'reports/q1.pdf')).toMatchObject({ effect: 'allow' });
    expect(policy.decide(real, 'read', 'home/idp:alice/cv.pdf')).toMatchObject({ effect: 'deny' });
    expect(policy.decide(real, 'write', 'drop/x')).toMatchObject({ effect: 'deny' });
  });

  it('mapped together ("") they are one person, as the config says', async () => {
    const shared = createAuthenticator({ apiKeys: [alice.entry], jwt: { ...jwt, issuer: ISSUER, subjectNamespace: '' } });
    expect(policy.decide(await principal(shared, await token('alice')), 'read', 'home/alice/cv.pdf')).toMatchObject({ effect: 'allow' });
  });
});

describe('several issuers', () => {
  const both = { ...jwt, issuer: [ISSUER, OTHER] };

  it('each issuer its own namespace: the same sub from two issuers is two principals', async () => {
    const a = createAuthenticator({ jwt: { ...both, subjectNamespace: { [ISSUER]: 'a', [OTHER]: 'b' } } });
    expect(await principal(a, await token('bob', ISSUER))).toMatchObject({ subject: 'a:bob' });
    expect(await principal(a, await token('bob', OTHER))).toMatchObject({ subject: 'b:bob' });
  });

  it('an issuer kept unqualified cannot pose as a namespaced one: its "b:bob" is refused', async () => {
    const a = createAuthenticator({ jwt: { ...both, subjectNamespace: { [ISSUER]: '', [OTHER]: 'b' } } });
    expect(await principal(a, await token('bob', ISSUER))).toMatchObject({ subject: 'bob' });
    expect(await a(await token('b:bob', ISSUER), NOW)).toEqual({ ok: false, reason: 'invalid', message: 'token claim "sub" names another identity source\'s namespace' });
    expect(await principal(a, await token('b:bob', OTHER))).toMatchObject({ subject: 'b:b:bob' });
  });

  it('an unconfigured issuer is refused before namespaces matter', async () => {
    const a = createAuthenticator({ jwt: { ...both, subjectNamespace: { [ISSUER]: 'a', [OTHER]: 'b' } } });
    expect(await a(await token('bob', 'https://evil.test'), NOW)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('JWT-only setups keep their subjects', () => {
  it('one issuer and no API keys: {sub} is the token\'s sub, as before', async () => {
    const a = createAuthenticator({ jwt: { ...jwt, issuer: ISSUER } });
    expect(await principal(a, await token('carol'))).toMatchObject({ subject: 'carol' });
  });
});
