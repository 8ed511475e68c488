import { AuthConfigError, createAuthenticator, parseAuthConfig, type AuthIo } from '../../src/auth';
import { mint, NOW, SECRET } from './jwt-fixtures';

const HASH = 'a'.repeat(64);

describe('auth config', () => {
  it('fills defaults', () => {
    const r = parseAuthConfig({ apiKeys: [{ hash: HASH, subject: 'ci' }], jwt: { hs256Secret: SECRET, subjectNamespace: 'idp' } });
    expect(r.ok && r.config).toEqual({
      apiKeys: [{ hash: HASH, subject: 'ci', groups: [] }],
      jwt: { hs256Secret: SECRET, subjectNamespace: 'idp', subjectClaim: 'sub', groupsClaim: 'groups', clockToleranceSeconds: 30, cache: { maxEntries: 1000, ttlSeconds: 60 } },
    });
  });

  it('keeps an API key\'s claims, single values and lists', () => {
    const claims = { dept: 'finance', projects: ['p1', 'p2'] };
    const r = parseAuthConfig({ apiKeys: [{ hash: HASH, subject: 'ci', claims }] });
    expect(r.ok && r.config.apiKeys?.[0]?.claims).toEqual(claims);
  });

  it.each([
    ['an uppercase / short hash', { apiKeys: [{ hash: 'ABC', subject: 'x' }] }, /apiKeys\[0\]\.hash: must be the sha256/],
    ['a hash with a character before it', { apiKeys: [{ hash: `0${HASH}`, subject: 'x' }] }, /apiKeys\[0\]\.hash: must be the sha256/],
    ['a hash with a character after it', { apiKeys: [{ hash: `${HASH}0`, subject: 'x' }] }, /apiKeys\[0\]\.hash: must be the sha256/],
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

  it.each(['http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9000/jwks', 'https://idp.example.com/jwks'])('allows the JWKS URL %s', (jwksUrl) => {
    expect(parseAuthConfig({ jwt: { jwksUrl } }).ok).toBe(true);
  });

  it.each(['http://127.0.0.2/jwks', 'http://localhost.example.com/jwks', 'ftp://127.0.0.1/jwks'])('refuses the JWKS URL %s', (jwksUrl) => {
    expect(parseAuthConfig({ jwt: { jwksUrl } })).toEqual({ ok: false, problems: ['jwt.jwksUrl: must be https (plain http only on loopback)'] });
  });

  it.each([
    ['a 32-byte secret', { hs256Secret: 'x'.repeat(32) }, true],
    ['a 31-byte secret', { hs256Secret: 'x'.repeat(31) }, false],
    ['31 characters but 32 bytes', { hs256Secret: `${'x'.repeat(30)}é` }, true],
    ['a tolerance of 60 s', { hs256Secret: SECRET, clockToleranceSeconds: 60 }, true],
    ['a tolerance of 0 s', { hs256Secret: SECRET, clockToleranceSeconds: 0 }, true],
    ['a negative tolerance', { hs256Secret: SECRET, clockToleranceSeconds: -1 }, false],
    ['a cache of 0 entries', { hs256Secret: SECRET, cache: { maxEntries: 0 } }, true],
    ['a cache of 1,000,000 entries', { hs256Secret: SECRET, cache: { maxEntries: 1_000_000 } }, true],
    ['a cache of 1,000,001 entries', { hs256Secret: SECRET, cache: { maxEntries: 1_000_001 } }, false],
    ['a cache ttl of 1 s', { hs256Secret: SECRET, cache: { ttlSeconds: 1 } }, true],
    ['a cache ttl of 0 s', { hs256Secret: SECRET, cache: { ttlSeconds: 0 } }, false],
    ['a cache ttl of 3600 s', { hs256Secret: SECRET, cache: { ttlSeconds: 3600 } }, true],
    ['a cache ttl of 3601 s', { hs256Secret: SECRET, cache: { ttlSeconds: 3601 } }, false],
    ['HS512 with a secret file', { secretFile: '/s', algorithms: ['HS512'] }, true],
    ['HS384 with a secret from the environment', { secretEnv: 'S', algorithms: ['HS384'] }, true],
    ['EdDSA with a JWKS file', { jwksFile: '/j', algorithms: ['EdDSA'] }, true],
    ['an empty algorithm list', { hs256Secret: SECRET, algorithms: [] }, false],
  ])('%s: valid %s', (_name, jwt, ok) => {
    expect(parseAuthConfig({ jwt }).ok).toBe(ok);
  });

  it('says which algorithm does not fit the key source, at its index', () => {
    expect(parseAuthConfig({ jwt: { secretEnv: 'S', algorithms: ['HS256', 'ES256'] } })).toEqual({ ok: false, problems: ['jwt.algorithms[1]: ES256 cannot be used with secretEnv'] });
    expect(parseAuthConfig({ jwt: { secretFile: '/s', algorithms: ['RS256'] } })).toEqual({ ok: false, problems: ['jwt.algorithms[0]: RS256 cannot be used with secretFile'] });
    expect(parseAuthConfig({ jwt: { jwksUrl: 'https://x.test/j', algorithms: ['HS384'] } })).toEqual({ ok: false, problems: ['jwt.algorithms[0]: HS384 cannot be used with jwksUrl'] });
  });

  it('names a problem at the top of the config as (config)', () => {
    expect(parseAuthConfig(null)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^\(config\): /) as string] });
  });

  it('reports every duplicate hash, once each', () => {
    const r = parseAuthConfig({ apiKeys: [{ hash: HASH, subject: 'x' }, { hash: HASH, subject: 'y' }, { hash: HASH, subject: 'z' }] });
    expect(r).toEqual({ ok: false, problems: ['apiKeys[1].hash: duplicate key hash', 'apiKeys[2].hash: duplicate key hash'] });
  });

  it('AuthConfigError lists every problem', () => {
    const e = new AuthConfigError(['a: one', 'b: two']);
    expect(e).toMatchObject({ name: 'AuthConfigError', message: 'invalid auth config:\na: one\nb: two', problems: ['a: one', 'b: two'] });
  });

  it.each([
    ['an unset environment variable', { secretEnv: 'NOPE' }, /environment variable NOPE is not set/],
    ['a short secret from the environment', { secretEnv: 'SHORT' }, /jwt\.secretEnv \(SHORT\): the HS256 secret must be at least 32 bytes/],
    ['a missing secret file', { secretFile: '/missing' }, /jwt\.secretFile: cannot read \/missing \(ENOENT\)/],
    ['a JWKS file that is not JSON', { jwksFile: '/bad' }, /jwt\.jwksFile: \/bad is not a JSON Web Key Set/],
    ['a missing JWKS file', { jwksFile: '/missing' }, /jwt\.jwksFile: cannot read \/missing \(ENOENT\)/],
    ['a JWKS file without keys', { jwksFile: '/empty' }, /not a JSON Web Key Set/],
    ['an empty environment variable', { secretEnv: 'EMPTY' }, /^invalid auth config:\njwt\.secretEnv: environment variable EMPTY is not set$/],
    ['a short secret file', { secretFile: '/short' }, /^invalid auth config:\njwt\.secretFile \(\/short\): the HS256 secret must be at least 32 bytes$/],
    ['a secret file of 31 bytes and a newline', { secretFile: '/short-nl' }, /jwt\.secretFile \(\/short-nl\): the HS256 secret must be at least 32 bytes/],
    ['a read error without a code', { secretFile: '/nocode' }, /cannot read \/nocode \(error\)/],
  ])('createAuthenticator throws AuthConfigError for %s, without the secret', (_name, jwt, message) => {
    const io: AuthIo = {
      env: { SHORT: 'tiny-secret-value', EMPTY: '' },
      readFile: (p) => {
        if (p === '/bad') return 'not json';
        if (p === '/short') return 'tiny-secret-value';
        if (p === '/short-nl') return `${'s'.repeat(31)}\n`;
        if (p === '/nocode') throw new Error('x');
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

  it.each([
    ['exactly 32 bytes', 'k'.repeat(32)],
    ['32 bytes and a newline', `${'k'.repeat(32)}\n`],
    ['32 bytes and CRLF', `${'k'.repeat(32)}\r\n`],
  ])('a secret file of %s verifies tokens signed with the 32 bytes', async (_name, content) => {
    const a = createAuthenticator({ jwt: { secretFile: '/s' } }, { env: {}, readFile: () => content });
    const token = await mint({ key: new TextEncoder().encode('k'.repeat(32)) });
    expect(await a(`Bearer ${token}`, NOW)).toMatchObject({ ok: true });
  });
});

