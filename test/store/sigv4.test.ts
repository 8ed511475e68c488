// Canonicalization and verification against AWS's documented examples, plus the pure helpers
// (percent-coding, range parsing, key ordering) that the HTTP tests exercise only indirectly.
import type { IncomingMessage } from 'node:http';
import { authenticate } from '../../src/store/auth';
import { S3Error } from '../../src/store/errors';
import { KeyIndex, compareKeys } from '../../src/store/keyindex';
import { parseRange } from '../../src/store/readreq';
import { parseRequest } from '../../src/store/request';
import { canonicalQuery, parseQuery, percentDecode, uriEncode } from '../../src/store/sigv4';

const EXAMPLE = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
};

function fakeRequest(method: string, url: string, headers: [string, string][]): IncomingMessage {
  return { method, url, rawHeaders: headers.flat(), headers: Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v])) } as unknown as IncomingMessage;
}

function auth(req: IncomingMessage, at: string): { payloadHash: string } {
  return authenticate(parseRequest(req, 'TEST', false), { ...EXAMPLE, now: () => new Date(at) });
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof S3Error ? err.code : `not an S3Error: ${String(err)}`;
  }
  return undefined;
}

describe('S3 documentation examples (virtual-hosted, so the path is /test.txt)', () => {
  const QUERY =
    '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
    '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
    '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
  const HOST: [string, string] = ['Host', 'examplebucket.s3.amazonaws.com'];

  it('accepts the query-auth example (GET test.txt, 86400 s)', () => {
    expect(auth(fakeRequest('GET', QUERY, [HOST]), '2013-05-24T12:00:00Z')).toEqual({ payloadHash: 'UNSIGNED-PAYLOAD' });
  });

  it('canonicalizes the example query exactly as the documentation shows', () => {
    const params = parseQuery(QUERY.split('?')[1] as string);
    expect(params && canonicalQuery(params)).toBe(
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host',
    );
  });

  it('rejects it after 86400 s, with another method, another host, or one changed signature digit', () => {
    expect(code(() => auth(fakeRequest('GET', QUERY, [HOST]), '2013-05-25T00:00:01Z'))).toBe('AccessDenied');
    expect(code(() => auth(fakeRequest('HEAD', QUERY, [HOST]), '2013-05-24T12:00:00Z'))).toBe('SignatureDoesNotMatch');
    expect(code(() => auth(fakeRequest('GET', QUERY, [['Host', 'evil.example']]), '2013-05-24T12:00:00Z'))).toBe('SignatureDoesNotMatch');
    expect(code(() => auth(fakeRequest('GET', QUERY.replace(/d404$/, 'd405'), [HOST]), '2013-05-24T12:00:00Z'))).toBe('SignatureDoesNotMatch');
    expect(code(() => auth(fakeRequest('GET', QUERY.replace('86400', '86401'), [HOST]), '2013-05-24T12:00:00Z'))).toBe('SignatureDoesNotMatch');
  });

  it('accepts the header-auth GET example (Range: bytes=0-9)', () => {
    const req = fakeRequest('GET', '/test.txt', [
      HOST,
      ['Range', 'bytes=0-9'],
      ['x-amz-content-sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['x-amz-date', '20130524T000000Z'],
      [
        'Authorization',
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      ],
    ]);
    expect(auth(req, '2013-05-24T00:05:00Z').payloadHash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(code(() => auth(req, '2013-05-24T01:00:00Z'))).toBe('RequestTimeTooSkewed');
  });

  it('accepts the header-auth PUT example (key test$file.text, signed payload hash)', () => {
    const req = fakeRequest('PUT', '/test%24file.text', [
      HOST,
      ['Date', 'Fri, 24 May 2013 00:00:00 GMT'],
      ['x-amz-date', '20130524T000000Z'],
      ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
      ['x-amz-content-sha256', '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072'],
      [
        'Authorization',
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
      ],
    ]);
    expect(auth(req, '2013-05-24T00:00:00Z').payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  });

  it('refuses a wrong region, an unknown key and no auth at all', () => {
    const at = '2013-05-24T12:00:00Z';
    expect(code(() => authenticate(parseRequest(fakeRequest('GET', QUERY, [HOST]), 'T', false), { ...EXAMPLE, region: 'eu-west-1', now: () => new Date(at) }))).toBe(
      'AuthorizationQueryParametersError',
    );
    expect(code(() => auth(fakeRequest('GET', QUERY.replace(/AKIAIOSFODNN7EXAMPLE/, 'AKIAOTHER'), [HOST]), at))).toBe('InvalidAccessKeyId');
    expect(code(() => auth(fakeRequest('GET', '/test.txt', [HOST]), at))).toBe('AccessDenied');
    expect(code(() => auth(fakeRequest('GET', QUERY, [HOST, ['Authorization', 'AWS4-HMAC-SHA256 x']]), at))).toBe('InvalidArgument');
    expect(code(() => auth(fakeRequest('GET', QUERY, [HOST, ['x-amz-meta-sneaky', '1']]), at))).toBe('AccessDenied');
  });
});

describe('percent-coding', () => {
  it('encodes every byte outside the unreserved set, keeping / only in paths', () => {
    expect(uriEncode("a b+c%d#e?f=g&h@i(j)k'l~m_n.o-p/q", true)).toBe('a%20b%2Bc%25d%23e%3Ff%3Dg%26h%40i%28j%29k%27l~m_n.o-p/q');
    expect(uriEncode('a/b', false)).toBe('a%2Fb');
    expect(uriEncode('ü日', true)).toBe('%C3%BC%E6%97%A5');
  });
  it('decodes once, keeps +, and refuses malformed escapes', () => {
    expect(percentDecode('%2541+%7e')?.toString()).toBe('%41+~');
    expect(percentDecode('%zz')).toBeNull();
    expect(percentDecode('%4')).toBeNull();
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { kind: 'range', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=95-200', 100, { kind: 'range', start: 95, end: 99 }],
    ['bytes=-10', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=-1000', 100, { kind: 'range', start: 0, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-1', 100, { kind: 'none' }],
    ['bytes=0-1,5-6', 100, { kind: 'none' }],
    ['items=0-1', 100, { kind: 'none' }],
    ['bytes=-', 100, { kind: 'none' }],
  ])('%s of %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('KeyIndex', () => {
  it('orders keys by UTF-8 bytes (astral characters after U+FFFF)', () => {
    const keys = ['\u{1F600}', '\uFFFD', 'b', 'a/', 'a', ''];
    expect([...keys].sort(compareKeys)).toEqual(['', 'a', 'a/', 'b', '\uFFFD', '\u{1F600}']);
    const sortedByBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(sortedByBytes);
  });

  it('pages through keys and common prefixes without repeats', () => {
    const idx = new KeyIndex();
    const keys = ['a/1', 'a/2', 'b', 'c/x/1', 'c/y', 'd', 'e/'];
    for (const k of keys) idx.set(k, { size: 1, etag: 'x', mtime: 0 });
    const seen: string[] = [];
    let after: Parameters<KeyIndex['list']>[0]['after'];
    for (let i = 0; i < 10; i++) {
      const page = idx.list({ prefix: '', delimiter: '/', maxKeys: 2, ...(after ? { after } : {}) });
      seen.push(...page.contents.map((c) => c.key), ...page.commonPrefixes);
      if (!page.next) break;
      after = page.next;
    }
    expect(seen.sort()).toEqual(['a/', 'b', 'c/', 'd', 'e/']);
    idx.delete('b');
    expect(idx.list({ prefix: 'c/', delimiter: '/', maxKeys: 1000 })).toEqual({
      contents: [{ key: 'c/y', entry: { size: 1, etag: 'x', mtime: 0 } }],
      commonPrefixes: ['c/x/'],
      isTruncated: false,
    });
  });
});
