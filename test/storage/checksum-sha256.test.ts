/**
 * Content-bound uploads as a capability of the storage seam: PresignInput.checksumSha256 is
 * signed as an `x-amz-checksum-sha256` header (never a query parameter) only by backends whose
 * storage verifies it; the embedded store verifies it (a body with another SHA-256 gets S3's
 * BadDigest and nothing is stored), keeps it, and returns it on HEAD with checksum mode; the
 * gateway's own object calls (object-calls.ts) read it back. Ceph RGW 16's behaviour is measured
 * in test/e2e/lfs-rgw.test.ts.
 */
import { createHash } from 'node:crypto';
import { createAzureBackend } from '../../src/storage/azure-backend';
import { accountKeySource } from '../../src/storage/azure-keys';
import { bindsContent, defaultS3ChecksumSha256 } from '../../src/storage/capabilities';
import { createNamedBackends } from '../../src/storage/from-config';
import { objectCalls } from '../../src/storage/object-calls';
import { createS3Backend } from '../../src/storage/s3-backend';
import { ObjectOperations, type StorageBackend } from '../../src/storage/types';
import { staticCredentials } from '../../src/signing/credentials';
import { BUCKET, CREDENTIALS, REGION, startHarness, type Harness } from '../store/helpers';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('base64');
const BODY = Buffer.from('the bytes that were promised');
const OTHER = Buffer.from('the bytes that were delivered'.slice(0, BODY.length));
const credentials = staticCredentials(CREDENTIALS);
/** The backend the gateway builds for its embedded store (runtime.ts), on a test store. */
const embeddedBackend = (h: Harness): StorageBackend => createS3Backend({ region: REGION, endpoint: h.store.url, forcePathStyle: true, credentials, kind: 'embedded', checksumSha256: true });

describe('the checksumSha256 capability', () => {
  it.each([
    [undefined, true],
    ['http://127.0.0.1:7480', false],
    ['https://s3.eu-west-1.amazonaws.com', false],
  ])('an S3 backend with endpoint %s binds content by default: %s', (endpoint, expected) => {
    expect(defaultS3ChecksumSha256(endpoint)).toBe(expected);
    const backend = createS3Backend({ region: 'us-east-1', forcePathStyle: true, credentials, ...(endpoint !== undefined && { endpoint }) });
    expect(bindsContent(backend)).toBe(expected);
  });

  it('config can claim it for an S3-compatible endpoint, and GCS never has it', async () => {
    const deps = { env: { A: 'a', S: 's' }, defaultS3Credentials: () => Promise.reject(new Error('unused')) };
    const s3 = { kind: 's3' as const, bucket: 'bkt', region: 'us-east-1', forcePathStyle: true, accessKeyIdEnv: 'A', secretAccessKeyEnv: 'S' };
    const built = await createNamedBackends(
      {
        minio: { ...s3, endpoint: 'http://127.0.0.1:9000', checksumSha256: true },
        rgw: { ...s3, endpoint: 'http://127.0.0.1:7480' },
        gcs: { ...s3, endpoint: 'https://storage.googleapis.com', checksumSha256: true },
      },
      deps,
    );
    expect(bindsContent(built.get('minio')!)).toBe(true);
    expect(bindsContent(built.get('rgw')!)).toBe(false);
    expect(bindsContent(built.get('gcs')!)).toBe(false);
  });

  it('Azure cannot bind content and signs nothing for it', async () => {
    const azure = createAzureBackend({ account: 'acct1', keys: accountKeySource(Buffer.alloc(64, 1).toString('base64')) });
    expect(bindsContent(azure)).toBe(false);
    const signed = await azure.presign({ operation: ObjectOperations.put, bucket: 'c', key: 'k', expiresIn: 60, now: new Date(), checksumSha256: sha256(BODY) });
    expect(JSON.stringify(signed)).not.toMatch(/checksum/i);
  });

  it('a backend that does not bind content does not sign the header', async () => {
    const rgwLike = createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:7480', forcePathStyle: true, credentials });
    const signed = await rgwLike.presign({ operation: ObjectOperations.put, bucket: 'b', key: 'k', expiresIn: 60, now: new Date(), contentLength: 3, checksumSha256: sha256(BODY) });
    expect(signed.url).not.toMatch(/checksum/i);
    expect(signed.headers).toEqual({});
  });

  it('refuses a value that is not the base64 of 32 bytes (a caller bug, never a silent skip)', async () => {
    const aws = createS3Backend({ region: 'us-east-1', forcePathStyle: true, credentials });
    await expect(aws.presign({ operation: ObjectOperations.put, bucket: 'b', key: 'k', expiresIn: 60, now: new Date(), checksumSha256: 'AAAA' })).rejects.toThrow('base64 of 32 bytes');
  });
});

describe('on the embedded store', () => {
  let h: Harness;
  let backend: StorageBackend;
  beforeAll(async () => {
    h = await startHarness();
    backend = embeddedBackend(h);
  });
  afterAll(() => h.stop());

  describe('an upload is bound to its SHA-256', () => {
    const putUrl = (key: string, body: Buffer, checksum: string) =>
      backend.presign({ operation: ObjectOperations.put, bucket: BUCKET, key, expiresIn: 60, now: new Date(), contentLength: body.length, contentType: 'application/octet-stream', checksumSha256: checksum });
    const put = async (key: string, body: Buffer, checksum: string, headers?: Record<string, string>) => {
      const signed = await putUrl(key, body, checksum);
      return fetch(signed.url, { method: 'PUT', body, headers: headers ?? signed.headers });
    };

    it('signs it as a header, never as a query parameter', async () => {
      const signed = await putUrl('k', BODY, sha256(BODY));
      expect(signed.headers).toEqual({ 'content-type': 'application/octet-stream', 'x-amz-checksum-sha256': sha256(BODY) });
      expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;x-amz-checksum-sha256');
      expect(signed.url).not.toMatch(/[?&](x-amz-checksum-[^=&]*|x-amz-sdk-checksum-algorithm)=/i);
    });

    it('stores the promised bytes, and returns the checksum on HEAD only with checksum mode', async () => {
      expect((await put('good.bin', BODY, sha256(BODY))).status).toBe(200);
      const calls = objectCalls({ bucket: BUCKET, backend });
      expect(await calls.head('good.bin', new Date(), { checksum: true })).toEqual({ size: BODY.length, checksumSha256: sha256(BODY) });
      expect(await calls.head('good.bin', new Date())).toEqual({ size: BODY.length });
    });

    it('refuses other bytes of the same size with S3\'s BadDigest, and stores nothing', async () => {
      expect(OTHER.length).toBe(BODY.length);
      const res = await put('bad.bin', OTHER, sha256(BODY));
      expect(res.status).toBe(400);
      const xml = await res.text();
      expect(xml).toContain('<Code>BadDigest</Code>');
      expect(xml).toContain('SHA256');
      expect(await objectCalls({ bucket: BUCKET, backend }).head('bad.bin', new Date())).toBeUndefined();
    });

    it('refuses a PUT that leaves the signed header out (the URL alone is not enough)', async () => {
      const res = await put('bare.bin', BODY, sha256(BODY), { 'content-type': 'application/octet-stream' });
      expect(res.status).toBe(403);
      expect(await objectCalls({ bucket: BUCKET, backend }).head('bare.bin', new Date())).toBeUndefined();
    });

    it('the empty object: its checksum is that of no bytes', async () => {
      expect((await put('empty.bin', Buffer.alloc(0), sha256(Buffer.alloc(0)))).status).toBe(200);
      expect(await objectCalls({ bucket: BUCKET, backend }).head('empty.bin', new Date(), { checksum: true })).toEqual({ size: 0, checksumSha256: sha256(Buffer.alloc(0)) });
    });

    it('a kept checksum survives a restart (it lives in the object file)', async () => {
      await h.restart();
      backend = embeddedBackend(h);
      expect(await objectCalls({ bucket: BUCKET, backend }).head('good.bin', new Date(), { checksum: true })).toEqual({ size: BODY.length, checksumSha256: sha256(BODY) });
    });
  });

  describe('object calls: the gateway\'s own small requests', () => {
    it('create-only puts: the first wins, the second is told the object exists', async () => {
      const calls = objectCalls({ bucket: BUCKET, backend });
      const now = new Date();
      expect(await calls.putText('locks/x', '{"a":1}', now, { contentType: 'application/json', createOnly: true })).toBe('stored');
      expect(await calls.putText('locks/x', '{"a":2}', now, { contentType: 'application/json', createOnly: true })).toBe('exists');
      expect(await calls.getText('locks/x', now)).toBe('{"a":1}');
      await calls.delete('locks/x', now);
      await calls.delete('locks/x', now); // idempotent
      expect(await calls.getText('locks/x', now)).toBeUndefined();
    });

    it('racing create-only puts: exactly one is stored', async () => {
      const calls = objectCalls({ bucket: BUCKET, backend });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => calls.putText('locks/race', `{"n":${i}}`, new Date(), { contentType: 'application/json', createOnly: true })));
      expect(results.filter((r) => r === 'stored')).toHaveLength(1);
    });

    it.each([
      ['unreachable', () => Promise.reject(new TypeError('fetch failed')), 502],
      ['slow', (_u: unknown, init?: RequestInit) => new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('t'), { name: 'TimeoutError' })))), 504],
      ['refusing', () => Promise.resolve(new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 })), 502],
    ])('%s storage is a clear 5xx, never a crash', async (_name, fake, status) => {
      const calls = objectCalls({ bucket: BUCKET, backend }, { fetch: fake, timeoutMs: 50 });
      await expect(calls.head('k', new Date())).rejects.toMatchObject({ statusCode: status });
    });
  });
});
