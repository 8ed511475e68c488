/**
 * The POST policy signer must produce exactly what @aws-sdk/s3-presigned-post produces (the
 * reference: what S3 accepts from it, it accepts from us): the same URL, the same fields in the
 * same order, the same base64 policy text and signature, over a corpus of endpoints, keys,
 * credentials (with and without a session token), dates, fields and conditions.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { SigningCredentials } from '../../src/signing/credentials';
import { createPostSigner, type PolicyCondition } from '../../src/signing/post-policy';

const DATES = ['2026-01-02T23:59:59Z', '2026-01-03T00:00:00Z', '2024-02-29T12:34:56Z', '2013-05-24T00:00:00Z'].map((d) => new Date(d));
const KEYS = ['plain.txt', 'reports/2026/q3 final.pdf', "a b/ü+%#?=&@()'!*~.txt", '日本語/ファイル.txt', 'emoji 😀/x', 'quote"and\\backslash', 'x'.repeat(1000), '</script><tag>&amp;'];
const TARGETS = [
  { region: 'us-east-1', bucket: 'my-bucket', forcePathStyle: false },
  { region: 'eu-central-1', bucket: 'signpost-data', forcePathStyle: false },
  { region: 'us-west-2', bucket: 'my.dotted.bucket', forcePathStyle: false },
  { region: 'us-east-1', bucket: 'signpost', forcePathStyle: true, endpoint: 'http://127.0.0.1:9000' },
  { region: 'auto', bucket: 'files', forcePathStyle: false, endpoint: 'https://storage.example.com' },
  { region: 'us-east-1', bucket: 'files', forcePathStyle: true, endpoint: 'https://storage.example.com/base/path/' },
] as const;
const CREDENTIALS: SigningCredentials[] = [
  { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  { accessKeyId: 'ASIATEMP', secretAccessKey: 'c2VjcmV0/+=', sessionToken: 'FwoGZXIvYXdzE/token+with=chars//' },
];
const SHAPES: { fields?: Record<string, string>; conditions?: PolicyCondition[] }[] = [
  {},
  { fields: { 'Content-Type': 'image/png' }, conditions: [['content-length-range', 0, 10_000_000]] },
  { fields: { 'Content-Type': 'text/plain; charset=utf-8', success_action_status: '201' }, conditions: [['content-length-range', 0, 5 * 1024 ** 3], ['starts-with', '$x-amz-meta-tag', '']] },
  // A condition equal to a field's own condition appears once (the SDK de-duplicates).
  { fields: { 'Content-Type': 'application/pdf' }, conditions: [{ 'Content-Type': 'application/pdf' }] },
];

describe('POST policies: byte-identical to @aws-sdk/s3-presigned-post', () => {
  afterEach(() => jest.restoreAllMocks());

  const cases = TARGETS.flatMap((target, t) => CREDENTIALS.flatMap((creds, c) => KEYS.map((key, k) => ({ target, creds, key, shape: SHAPES[(t + c + k) % SHAPES.length]!, now: DATES[(t + k) % DATES.length]!, expiresIn: 60 + k * 37 }))));

  it(`matches over ${cases.length} cases`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(90);
    for (const { target, creds, key, shape, now, expiresIn } of cases) {
      const client = new S3Client({
        region: target.region,
        forcePathStyle: target.forcePathStyle,
        credentials: creds,
        ...('endpoint' in target && { endpoint: target.endpoint }),
      });
      jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
      const reference = await createPresignedPost(client, {
        Bucket: target.bucket,
        Key: key,
        Expires: expiresIn,
        ...(shape.fields && { Fields: shape.fields }),
        ...(shape.conditions && { Conditions: shape.conditions as never }),
      });
      jest.restoreAllMocks();
      client.destroy();
      const endpoint = new URL('endpoint' in target ? target.endpoint : `https://s3.${target.region}.amazonaws.com`);
      const ours = createPostSigner({ endpoint, region: target.region, forcePathStyle: target.forcePathStyle })(creds, {
        bucket: target.bucket,
        key,
        expiresIn,
        now,
        ...(shape.fields && { fields: shape.fields }),
        ...(shape.conditions && { conditions: shape.conditions }),
      });
      const where = `${target.bucket} ${key.slice(0, 40)} ${now.toISOString()}`;
      expect({ where, url: ours.url }).toEqual({ where, url: reference.url });
      expect({ where, fields: Object.entries(ours.fields) }).toEqual({ where, fields: Object.entries(reference.fields) });
    }
  });

  it('never signs a key with ${filename} (S3 would store the object under a name the policy never saw)', () => {
    const sign = createPostSigner({ endpoint: new URL('http://127.0.0.1:9000'), region: 'us-east-1', forcePathStyle: true });
    expect(() => sign(CREDENTIALS[0]!, { bucket: 'b', key: 'inbox/${filename}', expiresIn: 60, now: DATES[0]! })).toThrow(/filename/);
  });
});
