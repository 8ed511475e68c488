import { describeError, formatSize, hashFor, keyPath, listingPath, parseHash } from '../../src/web/page/util';
import { pageCsp } from '../../src/web/route';

describe('web page helpers', () => {
  it('encodes each key segment, keeping the slashes', () => {
    expect(keyPath('/files', 'a b/c#d?.txt')).toBe('/files/a%20b/c%23d%3F.txt');
  });
  it.each([
    ['the mount root', '', null, '/files/'],
    ['a folder', 'a b/c/', null, '/files/a%20b/c/'],
    ['a next page', '', 'k/x y', '/files/?cursor=k%2Fx%20y'],
  ])('lists %s at one trailing slash', (_what, prefix, cursor, path) => {
    expect(listingPath('/files', prefix, cursor)).toBe(path);
  });
  it('round-trips the folder through the hash, dropping dot segments', () => {
    expect(parseHash(hashFor('/files', 'r 1/é/'), ['/files'])).toEqual({ mount: '/files', prefix: 'r 1/é/' });
    expect(parseHash('#/files/../x/./y/', ['/files'])).toEqual({ mount: '/files', prefix: 'x/y/' });
    expect(parseHash('#/archive/a/', ['/files', '/archive'])).toEqual({ mount: '/archive', prefix: 'a/' });
    expect(parseHash('#/nope/a/', ['/files'])).toEqual({ mount: '/files', prefix: '' });
    expect(parseHash('#%E0%A4%A', ['/files'])).toEqual({ mount: '/files', prefix: '' });
  });
  it('says the gateway errors in plain words', () => {
    for (const s of [401, 403, 412, 413, 415, 428]) expect(describeError(s, '', true)).not.toMatch(/answered/);
    expect(describeError(401, '', false)).toMatch(/sign in/);
  });
  it('formats sizes', () => {
    expect(formatSize(23)).toBe('23 B');
    expect(formatSize(50_000_000)).toBe('48 MiB');
  });
  it('the page CSP allows the storage origin for connect-src only, and no inline code', () => {
    const csp = pageCsp(['http://127.0.0.1:9000']);
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:9000;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
  });
});
