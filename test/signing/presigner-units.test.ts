/**
 * The presigner's parts on their own, where the SDK corpus (presigner-equivalence) cannot reach:
 * URL lifetimes against expiring credentials, which buckets go in the host name, the date stamp,
 * the derived signing key (AWS's published example), header canonicalisation, base paths and
 * the query-parameter guard. Written to kill the mutants Stryker found surviving here.
 */
import { createHmac } from 'node:crypto';
import type { SigningCredentials } from '../../src/signing/credentials';
import { createPostSigner } from '../../src/signing/post-policy';
import { createPresigner, isVirtualHostableBucket, MAX_PRESIGN_EXPIRY_SECONDS, SigningKeyCache, signableSeconds, toAmzDate } from '../../src/signing/sigv4-presigner';
import { uriEncode, uriEncodeKey } from '../../src/signing/uri-encode';

const NOW = new Date('2026-03-04T05:06:07.890Z');
const LONG_LIVED: SigningCredentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
const expiringIn = (ms: number): SigningCredentials => ({ ...LONG_LIVED, expiration: new Date(NOW.getTime() + ms) });

describe('signableSeconds: the lifetime a URL may get', () => {
  it.each([
    ['long-lived keys: what was asked', LONG_LIVED, 300, 300],
    ['capped at SigV4 7 days', LONG_LIVED, MAX_PRESIGN_EXPIRY_SECONDS + 1, MAX_PRESIGN_EXPIRY_SECONDS],
    ['exactly 7 days is allowed', LONG_LIVED, MAX_PRESIGN_EXPIRY_SECONDS, MAX_PRESIGN_EXPIRY_SECONDS],
    ['never past the credentials (whole seconds, rounded down)', expiringIn(100_900), 300, 100],
    ['shorter wish than the credentials', expiringIn(100_900), 60, 60],
    ['credentials already expired: at least 1 s', expiringIn(-5_000), 300, 1],
    ['nothing wanted: at least 1 s', LONG_LIVED, 0, 1],
  ])('%s', (_name, credentials, wanted, seconds) => {
    expect(signableSeconds(credentials, NOW, wanted)).toBe(seconds);
  });
});

describe('isVirtualHostableBucket: DNS-safe names go in the host name', () => {
  it.each([
    ['my-bucket', false, true],
    ['abc', false, true],
    ['a'.repeat(63), false, true],
    ['ab', false, false],
    ['a'.repeat(64), false, false],
    ['My-Bucket', false, false],
    ['-bucket', false, false],
    ['bucket-', false, false],
    ['bucket_name', false, false],
    ['192.168.1.1', true, false],
    ['my.bucket', false, false],
    ['my.bucket', true, true],
    ['my..bucket', true, false],
    ['my.-bucket', true, false],
    ['my-.bucket', true, false],
    ['1.2.3', true, true],
    ['10.20.30.40', true, false],
    ['1.2.3.4x', true, true],
    ['x1.2.3.4', true, true],
  ])('%s (dots allowed: %s) -> %s', (bucket, allowDots, virtual) => {
    expect(isVirtualHostableBucket(bucket, allowDots)).toBe(virtual);
  });
});

describe('toAmzDate', () => {
  it.each([
    ['2026-01-02T23:59:59.999Z', '20260102T235959Z'],
    ['2026-01-02T23:59:59.001Z', '20260102T235959Z'],
    ['2026-01-03T00:00:00.000Z', '20260103T000000Z'],
    ['2024-02-29T12:34:56.789Z', '20240229T123456Z'],
  ])('%s -> %s', (iso, stamp) => {
    expect(toAmzDate(new Date(iso))).toBe(stamp);
  });
});

describe('SigningKeyCache', () => {
  it("derives AWS's published example key (SigV4 docs: 20120215, us-east-1, iam)", () => {
    const cache = new SigningKeyCache('us-east-1', 'iam');
    expect(cache.get('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215').toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('keeps secrets and days apart, also past its size bound', () => {
    const cache = new SigningKeyCache('eu-west-1', 's3');
    const derive = (secret: string, date: string): string => {
      const step = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
      return step(step(step(step(`AWS4${secret}`, date), 'eu-west-1'), 's3'), 'aws4_request').toString('hex');
    };
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) {
        const secret = `secret-${i}`;
        const date = `202601${String(10 + i)}`;
        expect(cache.get(secret, date).toString('hex')).toBe(derive(secret, date));
        expect(cache.get(secret, '20250101').toString('hex')).toBe(derive(secret, '20250101'));
      }
    }
  });
});

describe('createPresigner: what the SDK corpus does not vary', () => {
  const presign = createPresigner({ endpoint: new URL('https://storage.example.com/base/'), region: 'us-east-1', forcePathStyle: true });
  const request = { method: 'PUT', bucket: 'b', key: 'k', query: {}, headers: {}, expiresIn: 60, now: NOW };

  it('keeps the endpoint base path, without doubling its slash', () => {
    expect(presign(LONG_LIVED, request)).toMatch(/^https:\/\/storage\.example\.com\/base\/b\/k\?/);
  });

  it('signs header values in canonical form (trimmed, inner whitespace folded)', () => {
    const messy = presign(LONG_LIVED, { ...request, headers: { 'content-type': '  text/plain;   charset=utf-8 \t' } });
    const clean = presign(LONG_LIVED, { ...request, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect(messy).toBe(clean);
    expect(clean).toContain('X-Amz-SignedHeaders=content-type%3Bhost');
  });

  it('signs several headers in name order', () => {
    const a = presign(LONG_LIVED, { ...request, headers: { 'x-amz-meta-b': '2', 'content-length': '5', 'if-none-match': '*' } });
    const b = presign(LONG_LIVED, { ...request, headers: { 'if-none-match': '*', 'content-length': '5', 'x-amz-meta-b': '2' } });
    expect(a).toBe(b);
    expect(a).toContain('X-Amz-SignedHeaders=content-length%3Bhost%3Bif-none-match%3Bx-amz-meta-b');
  });

  it('a different secret, access key or day gives a different signature', () => {
    const signature = (creds: SigningCredentials, now = NOW): string => /X-Amz-Signature=([0-9a-f]{64})/.exec(presign(creds, { ...request, now }))![1]!;
    const base = signature(LONG_LIVED);
    expect(signature({ ...LONG_LIVED, secretAccessKey: 'other' })).not.toBe(base);
    expect(signature({ ...LONG_LIVED, accessKeyId: 'AKID2' })).not.toBe(base);
    expect(signature(LONG_LIVED, new Date('2026-03-05T05:06:07Z'))).not.toBe(base);
    expect(signature(LONG_LIVED)).toBe(base);
    expect(presign({ ...LONG_LIVED, accessKeyId: 'AKID2' }, request)).toContain('X-Amz-Credential=AKID2%2F20260304%2Fus-east-1%2Fs3%2Faws4_request');
  });

  it.each(['X-Id', 'Response-content-type', '1x', '-x', ''])('refuses the query parameter %j (it would sort before the X-Amz-* ones)', (name) => {
    expect(() => presign(LONG_LIVED, { ...request, query: { [name]: 'v' } })).toThrow(/must start with a lower-case letter/);
  });

  it('puts extra query parameters after X-Amz-SignedHeaders, in name order', () => {
    const url = presign(LONG_LIVED, { ...request, query: { 'x-id': 'PutObject', 'response-content-type': 'a b' } });
    expect(url).toMatch(/&X-Amz-SignedHeaders=host&response-content-type=a%20b&x-id=PutObject$/);
  });
});

describe('uriEncode / uriEncodeKey', () => {
  it.each([
    ['AZaz09-._~', 'AZaz09-._~'],
    ["!'()*", '%21%27%28%29%2A'],
    ['a b/c', 'a%20b%2Fc'],
    ['ü', '%C3%BC'],
  ])('uriEncode(%j) -> %j', (raw, encoded) => {
    expect(uriEncode(raw)).toBe(encoded);
  });

  it.each([
    ['a/b/c.txt', 'a/b/c.txt'],
    ['a b/(c)', 'a%20b/%28c%29'],
    ['ü/ß', '%C3%BC/%C3%9F'],
    ['üß', '%C3%BC%C3%9F'],
    ['()', '%28%29'],
  ])('uriEncodeKey(%j) -> %j', (raw, encoded) => {
    expect(uriEncodeKey(raw)).toBe(encoded);
  });
});

describe('endpoints the SDK corpus does not cover', () => {
  const dotted = { method: 'GET', bucket: 'my.bucket', key: 'k', query: {}, headers: {}, expiresIn: 60, now: NOW };

  it.each([
    ['http: a dotted bucket goes in the host name', 'http://localhost:9000', 'http://my.bucket.localhost:9000/k?', 'http://my.bucket.localhost:9000/'],
    ['https: a dotted bucket stays in the path (its certificate would not match)', 'https://s3.example.com', 'https://s3.example.com/my.bucket/k?', 'https://s3.example.com/my.bucket'],
    ['several trailing slashes on the base path are one', 'https://s3.example.com/base//', 'https://s3.example.com/base/my.bucket/k?', 'https://s3.example.com/base/my.bucket'],
  ])('%s', (_name, endpoint, presignedStart, formUrl) => {
    const target = { endpoint: new URL(endpoint), region: 'us-east-1', forcePathStyle: false };
    expect(createPresigner(target)(LONG_LIVED, dotted).startsWith(presignedStart)).toBe(true);
    expect(createPostSigner(target)(LONG_LIVED, { bucket: 'my.bucket', key: 'k', expiresIn: 60, now: NOW }).url).toBe(formUrl);
  });

  it('path style when asked, even for a DNS-safe bucket', () => {
    const target = { endpoint: new URL('http://localhost:9000'), region: 'us-east-1', forcePathStyle: true };
    expect(createPresigner(target)(LONG_LIVED, { ...dotted, bucket: 'plain' }).startsWith('http://localhost:9000/plain/k?')).toBe(true);
    expect(createPostSigner(target)(LONG_LIVED, { bucket: 'plain', key: 'k', expiresIn: 60, now: NOW }).url).toBe('http://localhost:9000/plain');
  });

  it('signs the session token when there is one, and only then', () => {
    const presign = createPresigner({ endpoint: new URL('https://s3.example.com'), region: 'us-east-1', forcePathStyle: true });
    expect(presign({ ...LONG_LIVED, sessionToken: 'to ken' }, dotted)).toContain('&X-Amz-Security-Token=to%20ken&X-Amz-Signature=');
    expect(presign(LONG_LIVED, dotted)).not.toContain('X-Amz-Security-Token');
  });
});

