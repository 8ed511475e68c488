import { MAX_AUTHORIZATION_LENGTH, parseAuthorization } from '../../src/auth/authorization-header';

const KEY = `sp_${'A'.repeat(43)}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseAuthorization', () => {
  it.each([
    ['absent', undefined, { kind: 'none' }],
    ['Bearer API key', `Bearer ${KEY}`, { kind: 'api-key', key: KEY }],
    ['lower-case scheme', `bearer ${KEY}`, { kind: 'api-key', key: KEY }],
    ['extra spaces', `  Bearer   ${KEY}  `, { kind: 'api-key', key: KEY }],
    ['Bearer JWT', `Bearer ${JWT}`, { kind: 'jwt', token: JWT }],
    ['Bearer unsigned JWT (rejected later)', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.', { kind: 'jwt', token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.' }],
    ['Basic with empty user (curl -u :KEY)', `Basic ${b64(`:${KEY}`)}`, { kind: 'api-key', key: KEY }],
    ['Basic with any user', `BASIC ${b64(`someone:${KEY}`)}`, { kind: 'api-key', key: KEY }],
    ['Basic carrying a JWT', `Basic ${b64(`x:${JWT}`)}`, { kind: 'jwt', token: JWT }],
  ])('%s', (_name, header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });

  it.each([
    ['empty header', '', 'missing'],
    ['blank header', '   ', 'missing'],
    ['Bearer without token', 'Bearer', 'missing'],
    ['Bearer with blank token', 'Bearer   ', 'missing'],
    ['Basic with empty password', `Basic ${b64('user:')}`, 'missing'],
    ['unknown scheme', `Token ${KEY}`, 'malformed'],
    ['Digest', 'Digest username="a"', 'malformed'],
    ['short API key', 'Bearer sp_abc', 'malformed'],
    ['API key with bad characters', `Bearer sp_${'+'.repeat(43)}`, 'malformed'],
    ['garbage token', 'Bearer hello', 'malformed'],
    ['two-part token', 'Bearer a.b', 'malformed'],
    ['token with spaces', `Bearer ${KEY} extra`, 'malformed'],
    ['Basic not base64', 'Basic %%%', 'malformed'],
    ['Basic without colon', `Basic ${b64(KEY)}`, 'malformed'],
    ['Basic invalid UTF-8', `Basic ${Buffer.from([0x3a, 0xff, 0xfe]).toString('base64')}`, 'malformed'],
    ['oversized', `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`, 'malformed'],
  ])('%s -> %s', (_name, header, reason) => {
    const c = parseAuthorization(header);
    expect(c).toMatchObject({ kind: 'error', reason });
    if (c.kind === 'error' && header.length > 12) expect(c.message).not.toContain(header.slice(7, 20));
  });

  // Shown by the answer, not by a stopwatch (a timed assertion fails on a loaded machine): a huge
  // value that is wrong in every other way too gets the length refusal, so nothing else ran first.
  it('refuses an oversized header before looking at it', () => {
    const huge = `Digest  ${'x y'.repeat(4 * 1024 * 1024)}`;
    expect(parseAuthorization(huge)).toEqual({ kind: 'error', reason: 'malformed', message: `Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} bytes` });
  });
});

describe('parseAuthorization: what each refusal says', () => {
  it.each([
    ['empty header', '', 'missing', 'Authorization header is empty'],
    ['Bearer without token', 'bearer', 'missing', 'Bearer credentials are missing'],
    ['Basic without credentials', 'BASIC  ', 'missing', 'Basic credentials are missing'],
    ['Basic with empty password', `Basic ${b64('user:')}`, 'missing', 'Basic credentials have an empty password; put the API key there'],
    ['unknown scheme', `Token ${KEY}`, 'malformed', 'unsupported Authorization scheme; use Bearer or Basic'],
    ['a scheme that only starts like Bearer', `Bearerx ${KEY}`, 'malformed', 'unsupported Authorization scheme; use Bearer or Basic'],
    ['a tab inside the credentials', `Bearer ${KEY}\tx`, 'malformed', 'Authorization credentials must not contain spaces'],
    ['short API key', 'Bearer sp_abc', 'malformed', 'the Bearer token looks like an API key but has the wrong length or characters'],
    ['garbage token', 'Bearer hello', 'malformed', 'the Bearer token is neither an API key nor a JWT'],
    ['a JWT with an empty payload', 'Bearer a..c', 'malformed', 'the Bearer token is neither an API key nor a JWT'],
    ['a JWT with a trailing dot part', `Bearer ${JWT}.x`, 'malformed', 'the Bearer token is neither an API key nor a JWT'],
    ['a JWT after other text', `Bearer x:${JWT}`, 'malformed', 'the Bearer token is neither an API key nor a JWT'],
    ['Basic password that is not a token', `Basic ${b64('u:hello')}`, 'malformed', 'the Basic password is neither an API key nor a JWT'],
    ['Basic password that is a short key', `Basic ${b64('u:sp_x')}`, 'malformed', 'the Basic password looks like an API key but has the wrong length or characters'],
    ['Basic not base64', 'Basic %%%', 'malformed', 'Basic credentials are not base64'],
    ['Basic base64 of impossible length', 'Basic QUJDR', 'malformed', 'Basic credentials are not base64'],
    ['Basic base64 with text after padding', 'Basic QQ==QQ', 'malformed', 'Basic credentials are not base64'],
    ['Basic base64 with three padding characters', 'Basic QQ===', 'malformed', 'Basic credentials are not base64'],
    ['Basic without colon', `Basic ${b64(KEY)}`, 'malformed', 'Basic credentials need "user:password"; put the API key in the password'],
    ['Basic invalid UTF-8', `Basic ${Buffer.from([0x3a, 0xff, 0xfe]).toString('base64')}`, 'malformed', 'Basic credentials are not UTF-8'],
  ])('%s', (_name, header, reason, message) => {
    expect(parseAuthorization(header)).toEqual({ kind: 'error', reason, message });
  });

  it('accepts unpadded base64 in Basic credentials', () => {
    const unpadded = b64(`u:${KEY}`).replace(/=+$/, '');
    expect(parseAuthorization(`Basic ${unpadded}`)).toEqual({ kind: 'api-key', key: KEY });
  });

  it(`accepts a header of exactly ${MAX_AUTHORIZATION_LENGTH} characters and refuses one more`, () => {
    const jwtOfLength = (n: number): string => `a.b.${'c'.repeat(n - 4)}`;
    const exact = `Bearer ${jwtOfLength(MAX_AUTHORIZATION_LENGTH - 7)}`;
    expect(exact).toHaveLength(MAX_AUTHORIZATION_LENGTH);
    expect(parseAuthorization(exact)).toMatchObject({ kind: 'jwt' });
    expect(parseAuthorization(`${exact} `)).toEqual({ kind: 'error', reason: 'malformed', message: `Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} bytes` });
  });
});
