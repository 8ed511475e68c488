import { keyFromPath, checkPrefix, MAX_KEY_BYTES } from '../../src/keys/object-key';

describe('keyFromPath: keys that must work (client percent-encodes them)', () => {
  it.each([
    ['plain.txt', 'plain.txt'],
    ['reports/q3.pdf', 'reports/q3.pdf'],
    ['a%20b.txt', 'a b.txt'],
    ['plus+plus', 'plus+plus'],
    ['plus%2Bplus', 'plus+plus'],
    ['percent%25sign', 'percent%sign'],
    ['%25bad%25file%25name%25', '%bad%file%name%'],
    ['hash%23tag', 'hash#tag'],
    ['q%3Fmark', 'q?mark'],
    ['eq=amp&at@', 'eq=amp&at@'],
    ["paren(1)'quote'", "paren(1)'quote'"],
    ['%E6%97%A5%E6%9C%AC%E8%AA%9E.txt', '日本語.txt'],
    ['%D0%9A%D0%B8%D1%80%D0%B8%D0%BB%D0%BB%D0%B8%D1%86%D0%B0', 'Кириллица'],
    ['%D7%A2%D7%91%D7%A8%D7%99%D7%AA', 'עברית'],
    ['a%2Fb', 'a/b'],
    ['double%252Fencoded', 'double%2Fencoded'],
    ['%252e%252e', '%2e%2e'],
    ['...', '...'],
    ['.hidden/..dots..', '.hidden/..dots..'],
    ['x'.repeat(300) + '/y', 'x'.repeat(300) + '/y'],
    ['caf%C3%A9', 'café'],
    ['cafe%CC%81', 'cafe\u0301'],
    // Lower-case hex digits decode like upper-case ones (a-f, A-F, 0-9 at both ends of each range).
    ['caf%c3%a9', 'café'],
    ['%c3%BF%c3%bf', 'ÿÿ'],
    ['%41%5a%61%7A%30%39', 'AZaz09'],
    // Just outside the control ranges: space, tilde, NBSP.
    ['a%20', 'a '],
    ['a%7E', 'a~'],
    ['a%C2%A0', 'a\u00a0'],
    // A leading BOM is part of the key, not stripped by the decoder.
    ['%EF%BB%BFbom', '\ufeffbom'],
  ])('%s -> %s', (raw, key) => {
    expect(keyFromPath(raw)).toEqual({ ok: true, key, folder: false });
  });

  it('unencoded UTF-8 bytes (latin1 code units from Node) decode as UTF-8', () => {
    const raw = Buffer.from('ü.txt', 'utf8').toString('latin1');
    expect(keyFromPath(raw)).toEqual({ ok: true, key: 'ü.txt', folder: false });
  });

  it('a trailing slash names a folder', () => {
    expect(keyFromPath('reports/2026/')).toEqual({ ok: true, key: 'reports/2026/', folder: true });
    expect(keyFromPath('')).toEqual({ ok: true, key: '', folder: true });
  });

  it('adds the mount prefix', () => {
    expect(keyFromPath('q3.pdf', 'tenant/')).toEqual({ ok: true, key: 'tenant/q3.pdf', folder: false });
    expect(keyFromPath('', 'tenant/')).toEqual({ ok: true, key: 'tenant/', folder: true });
    expect(keyFromPath('r/', 'tenant/')).toEqual({ ok: true, key: 'tenant/r/', folder: true });
  });

  it(`accepts exactly ${MAX_KEY_BYTES} UTF-8 bytes`, () => {
    expect(keyFromPath('a'.repeat(MAX_KEY_BYTES)).ok).toBe(true);
    expect(keyFromPath('%C3%A9'.repeat(MAX_KEY_BYTES / 2)).ok).toBe(true);
  });
});

describe('keyFromPath: rejections', () => {
  it.each([
    ['..', '"." and ".."'],
    ['.', '"." and ".."'],
    ['a/../b', '"." and ".."'],
    ['a/./b', '"." and ".."'],
    ['%2e%2e/secret', '"." and ".."'],
    ['%2E%2E/secret', '"." and ".."'],
    ['%2E./secret', '"." and ".."'],
    ['.%2e', '"." and ".."'],
    ['..%2Fsecret', '"." and ".."'],
    ['a%2F..%2Fb', '"." and ".."'],
    ['a%2F.', '"." and ".."'],
    ['a//b', 'empty path segments'],
    ['/a', 'empty path segments'],
    ['a%2F%2Fb', 'empty path segments'],
    ['a//', 'empty path segments'],
    ['a%5Cb', 'backslashes'],
    ['..%5Csecret', 'backslashes'],
    ['a%00b', 'control characters'],
    ['a%0Ab', 'control characters'],
    ['a%0D%0AInjected: 1', 'control characters'],
    ['a%7F', 'control characters'],
    ['a%C2%85', 'control characters'],
    ['a%01', 'control characters'],
    ['a%1F', 'control characters'],
    ['a%C2%80', 'control characters'],
    ['a%C2%9F', 'control characters'],
    ['a\u0009b', 'control characters'],
    ['bad%', 'malformed'],
    ['bad%2', 'malformed'],
    ['bad%zz', 'malformed'],
    ['bad%G0', 'malformed'],
    ['bad%0g', 'malformed'],
    ['bad%/0', 'malformed'],
    ['bad%:0', 'malformed'],
    ['bad%@0', 'malformed'],
    ['bad%`0', 'malformed'],
    ['bad%0%', 'malformed'],
    // Not hex digits, though a wider digit range would read them as 4 and 7 (valid "A" and "q").
    ['bad%[1', 'malformed'],
    ['bad%^1', 'malformed'],
    ['bad%1[', 'malformed'],
    // A non-hex first digit followed by bytes that would complete a 4-byte UTF-8 sequence.
    ['bad%g0%90%80%80', 'malformed'],
    ['bad%G0%90%80%80', 'malformed'],
    // Code units above 0xff never come from Node's raw path; refused rather than truncated.
    ['日本', 'malformed'],
    ['\u0141.txt', 'malformed'],
    ['%FF', 'invalid UTF-8'],
    ['%C3', 'invalid UTF-8'],
    ['%C0%AE%C0%AE/overlong', 'invalid UTF-8'],
    ['%E0%80%AE', 'invalid UTF-8'],
    ['%ED%A0%80', 'invalid UTF-8'],
    ['a'.repeat(MAX_KEY_BYTES + 1), 'longer than'],
    ['%C3%A9'.repeat(MAX_KEY_BYTES / 2 + 1), 'longer than'],
  ])('%s is rejected (%s)', (raw, reason) => {
    const parsed = keyFromPath(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('counts the prefix towards the length limit', () => {
    expect(keyFromPath('a'.repeat(MAX_KEY_BYTES - 2), 'p/').ok).toBe(true);
    expect(keyFromPath('a'.repeat(MAX_KEY_BYTES - 1), 'p/').ok).toBe(false);
  });
});

describe('checkPrefix', () => {
  it.each([
    ['', undefined],
    ['tenant/', undefined],
    ['a/b/', undefined],
    ['tenant', 'must be empty or end with "/"'],
    ['../', '"." and ".." segments are not allowed'],
    ['a//', 'empty path segments ("//", leading or doubled "/") are not allowed'],
  ])('%j -> %j', (prefix, problem) => {
    expect(checkPrefix(prefix)).toBe(problem);
  });
});
