/**
 * From a verified payload to a principal (claim lookup, group shapes, namespaces), and how jose's
 * errors become our reasons and messages. Tables written against the mutants Stryker found
 * surviving through the end-to-end JWT tests.
 */
import { errors, type JWTPayload } from 'jose';
import { classifyJoseError } from '../../src/auth/jwt-verifier';
import { claimAt, principalFromClaims } from '../../src/auth/jwt-claims';
import { subjectQualifier } from '../../src/auth/subject-namespaces';

describe('claimAt', () => {
  const payload = {
    sub: 'alice',
    'realm_access.roles': 'flat wins',
    realm_access: { roles: ['nested'], inner: { deep: 'x' } },
    list: [{ a: 1 }],
    nothing: null,
    text: 'abc',
  };

  it.each([
    ['a top-level claim', 'sub', 'alice'],
    ['a top-level claim whose name has a dot, before any path', 'realm_access.roles', 'flat wins'],
    ['a dotted path into objects', 'realm_access.inner.deep', 'x'],
    ['a path ending in an object', 'realm_access.inner', { deep: 'x' }],
    ['a path through an array', 'list.0.a', undefined],
    ['a path through null', 'nothing.x', undefined],
    ['a path through a string', 'text.length', undefined],
    ['a missing claim', 'missing', undefined],
    ['a missing step', 'realm_access.missing.deep', undefined],
    ['an inherited property', 'constructor', undefined],
    ['an inherited property on a path', 'realm_access.toString', undefined],
  ])('%s', (_name, name, value) => {
    expect(claimAt(payload, name)).toEqual(value);
  });
});

describe('principalFromClaims', () => {
  const plain = subjectQualifier(undefined);

  it.each([
    ['a list', ['eng', 'ops'], ['eng', 'ops']],
    ['a list with empty names dropped', ['eng', '', 'ops'], ['eng', 'ops']],
    ['a space-separated string', 'eng ops', ['eng', 'ops']],
    ['a string with doubled and edge spaces', ' eng  ops ', ['eng', 'ops']],
    ['an empty string', '', []],
    ['absent', undefined, []],
  ])('groups from %s', (_name, groups, expected) => {
    const r = principalFromClaims({ sub: 'alice', ...(groups !== undefined && { groups }) }, 'sub', 'groups', plain);
    expect(r).toEqual({ ok: true, principal: { kind: 'user', subject: 'alice', groups: expected, claims: { sub: 'alice', ...(groups !== undefined && { groups }) }, via: 'jwt' } });
    const p = r.ok ? r.principal : undefined;
    expect(p?.kind === 'user' && Object.isFrozen(p) && Object.isFrozen(p.groups) && Object.isFrozen(p.claims)).toBe(true);
  });

  it.each([
    ['no subject', {}, 'token has no string "sub" claim'],
    ['an empty subject', { sub: '' }, 'token has no string "sub" claim'],
    ['a numeric subject', { sub: 7 }, 'token has no string "sub" claim'],
    ['groups as a number', { sub: 'a', groups: 3 }, 'token claim "groups" must be a list of strings or a space-separated string'],
    ['groups with a number inside', { sub: 'a', groups: ['x', 3] }, 'token claim "groups" must be a list of strings or a space-separated string'],
    ['groups as an object', { sub: 'a', groups: { x: 'y' } }, 'token claim "groups" must be a list of strings or a space-separated string'],
  ])('refuses %s', (_name, payload, message) => {
    // Payloads as a token could carry them, whatever the JWTPayload type says about `sub`.
    expect(principalFromClaims(payload as JWTPayload, 'sub', 'groups', plain)).toEqual({ ok: false, message });
  });

  it('reads the configured claims, also by dotted path', () => {
    const r = principalFromClaims({ sub: 'x', email: 'a@b', realm_access: { roles: ['admin'] } }, 'email', 'realm_access.roles', plain);
    expect(r.ok && r.principal).toMatchObject({ subject: 'a@b', groups: ['admin'] });
  });

  it('qualifies the subject by the token issuer, and refuses one posing as another namespace', () => {
    const qualify = subjectQualifier({ 'https://a.test': 'a', 'https://b.test': '' });
    expect(principalFromClaims({ sub: 'bob', iss: 'https://a.test' }, 'sub', 'groups', qualify)).toMatchObject({ ok: true, principal: { subject: 'a:bob' } });
    expect(principalFromClaims({ sub: 'bob', iss: 'https://b.test' }, 'sub', 'groups', qualify)).toMatchObject({ ok: true, principal: { subject: 'bob' } });
    expect(principalFromClaims({ sub: 'a:bob', iss: 'https://b.test' }, 'sub', 'groups', qualify)).toEqual({ ok: false, message: 'token claim "sub" names another identity source\'s namespace' });
    expect(principalFromClaims({ sub: 'bob', iss: 'https://c.test' }, 'sub', 'groups', qualify)).toMatchObject({ ok: false });
    expect(principalFromClaims({ sub: 'bob' }, 'sub', 'groups', qualify)).toMatchObject({ ok: false });
  });
});

describe('classifyJoseError', () => {
  it.each([
    ['expired', new errors.JWTExpired('x', {}, 'exp', 'check_failed'), false, 'expired', 'token has expired'],
    ['nbf', new errors.JWTClaimValidationFailed('x', {}, 'nbf', 'check_failed'), false, 'invalid', 'token is not valid yet'],
    ['a missing claim', new errors.JWTClaimValidationFailed('x', {}, 'exp', 'missing'), false, 'invalid', 'token claim "exp" is missing'],
    ['a refused claim', new errors.JWTClaimValidationFailed('x', {}, 'aud', 'check_failed'), false, 'invalid', 'token claim "aud" is not accepted'],
    ['an algorithm not allowed', new errors.JOSEAlgNotAllowed('x'), false, 'invalid', 'token algorithm is not allowed'],
    ['a bad signature', new errors.JWSSignatureVerificationFailed(), false, 'invalid', 'token signature is invalid'],
    ['no matching key', new errors.JWKSNoMatchingKey(), true, 'invalid', 'no key matches the token'],
    ['several matching keys', new errors.JWKSMultipleMatchingKeys(), true, 'invalid', 'no key matches the token'],
    ['a malformed JWS', new errors.JWSInvalid('x'), true, 'malformed', 'token is not a well-formed JWT'],
    ['a malformed JWT', new errors.JWTInvalid('x'), true, 'malformed', 'token is not a well-formed JWT'],
    ['an unsupported algorithm', new errors.JOSENotSupported('x'), true, 'invalid', 'token uses an unsupported algorithm or key'],
    ['anything else, keys from the network', new errors.JWKSTimeout(), true, 'unavailable', 'token keys are unavailable, try again later'],
    ['anything else, local keys', new Error('boom'), false, 'invalid', 'token could not be verified'],
  ])('%s', (_name, error, remote, reason, message) => {
    expect(classifyJoseError(error, remote)).toEqual({ ok: false, reason, message });
  });
});
