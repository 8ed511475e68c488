import { AuthConfigError, createAuthenticator, parseAuthConfig, type AuthIo } from '../../src/auth';
import { SECRET } from './jwt-fixtures';

const HASH = 'a'.repeat(64);

describe('auth config', () => {
  it('fills defaults', () => {
    const r = parseAuthConfig({ apiKeys: [{ hash: HASH, subject: 'ci' }], jwt: { hs256Secret: SECRET, subjectNamespace: 'idp' } });
    expect(r.ok && r.config).toEqual({
      apiKeys: [{ hash: HASH, subject: 'ci', groups: [] }],
      jwt: { hs256Secret: SECRET, subjectNamespace: 'idp', subjectClaim: 'sub', groupsClaim: 'groups', clockToleranceSeconds: 30, cache: { maxEntries: 1000, ttlSeconds: 60 } },
    });
  });

  it.each([
    ['an uppercase / short hash', { apiKeys: [{ hash: 'ABC', subject: 'x' }] }, /apiKeys\[0\]\.hash: must be the sha256/],
    ['duplicate hashes', { apiKeys: [{ hash: HASH, subject: 'x' }, { hash: HASH, subject: 'y' }] }, /apiKeys\[1\]\.hash: duplicate/],
    ['an empty subject', { apiKeys: [{ hash: HASH, subject: '' }] }, /apiKeys\[0\]\.subject/],
    ['an unknown field', { apiKey: [] }, /Unrecognized key/],
    ['no key source', { jwt: { issuer: 'x' } }, /exactly one of .* \(got none\)/],
    ['two key sources', { jwt: { hs256Secret: SECRET, jwksFile: '/j' } }, /exactly one of .* \(got hs256Secret, jwksFile\)/],
    ['a short secret', { jwt: { hs256Secret: 'short-secret' } }, /jwt\.hs256Secret: must be at least 32 bytes/],
    ['an asymmetric algorithm with a secret', { jwt: { hs256Secret: SECRET, algorithms: ['RS256'] } }, /jwt\.algorithms\[0\]: RS256 cannot be used with hs256Secret/],
    ['HS256 with a JWKS', { jwt: { jwksFile: '/j', algorithms: ['HS256'] } }, /HS256 cannot be used with jwksFile/],
    ['alg none', { jwt: { hs256Secret: SECRET, algorithms: ['none'] } }, /jwt\.algorithms\[0\]/],
    ['a tolerance over 60 s', { jwt: { hs256Secret: SECRET, clockToleranceSeconds: 61 } }, /at most 60/],
    ['plain http to a remote JWKS', { jwt: { jwksUrl: 'http://idp.example.com/jwks' } }, /must be https/],
  ])('rejects %s', (_name, raw, message) => {
    const r = parseAuthConfig(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join('\n')).toMatch(message);
    expect(!r.ok && r.problems.join('\n')).not.toContain('short-secret');
  });

  it('allows plain http JWKS on loopback', () => {
    expect(parseAuthConfig({ jwt: { jwksUrl: 'http://127.0.0.1:8080/jwks' } }).ok).toBe(true);
  });

  it.each([
    ['an unset environment variable', { secretEnv: 'NOPE' }, /environment variable NOPE is not set/],
    ['a short secret from the environment', { secretEnv: 'SHORT' }, /at least 32 bytes/],
    ['a missing secret file', { secretFile: '/missing' }, /cannot read \/missing \(ENOENT\)/],
    ['a JWKS file that is not JSON', { jwksFile: '/bad' }, /not a JSON Web Key Set/],
    ['a JWKS file without keys', { jwksFile: '/empty' }, /not a JSON Web Key Set/],
  ])('createAuthenticator throws AuthConfigError for %s, without the secret', (_name, jwt, message) => {
    const io: AuthIo = {
      env: { SHORT: 'tiny-secret-value' },
      readFile: (p) => {
        if (p === '/bad') return 'not json';
        if (p === '/empty') return '{"nokeys": true}';
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      },
    };
    let err: unknown;
    try {
      createAuthenticator({ jwt }, io);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('tiny-secret-value');
  });
});
