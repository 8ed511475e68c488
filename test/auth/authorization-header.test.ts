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

  it('refuses an oversized header before looking at it', () => {
    const huge = `Bearer ${'x'.repeat(10 * 1024 * 1024)}`;
    const t0 = process.hrtime.bigint();
    expect(parseAuthorization(huge)).toMatchObject({ reason: 'malformed' });
    expect(Number(process.hrtime.bigint() - t0)).toBeLessThan(5e6);
  });
});
