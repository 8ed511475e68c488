// ListObjectsV2 (and HeadBucket/ListBuckets) as the SDK's S3Client sends and parses them:
// prefix, delimiter, pagination with continuation tokens, start-after, encoding-type=url.
import {
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  DeleteObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { BUCKET, type Harness, errorCode, send, startHarness } from './helpers';

let h: Harness;
const KEYS = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'b/c/4.txt', 'b/d/', 'c d/e+f.txt', 'z/ü.txt', 'z/\uFFFD.txt', 'z/😀.txt'];

beforeAll(async () => {
  h = await startHarness();
  for (const key of KEYS) await h.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body:${key}` }));
});
afterAll(() => h.stop());

const list = (input: Omit<ListObjectsV2CommandInput, 'Bucket'>) => h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, ...input }));

async function listAll(input: Omit<ListObjectsV2CommandInput, 'Bucket'>): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: h.client }, { Bucket: BUCKET, ...input })) {
    pages++;
    keys.push(...(page.Contents ?? []).map((c) => c.Key as string));
    prefixes.push(...(page.CommonPrefixes ?? []).map((c) => c.Prefix as string));
  }
  return { keys, prefixes, pages };
}

it('lists everything in UTF-8 byte order with sizes, ETags and dates', async () => {
  const r = await list({});
  expect(r.Contents?.map((c) => c.Key)).toEqual(KEYS);
  expect(r.KeyCount).toBe(KEYS.length);
  expect(r.IsTruncated).toBe(false);
  expect(r.MaxKeys).toBe(1000);
  const first = r.Contents?.[0];
  expect(first?.Size).toBe('body:a.txt'.length);
  expect(first?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
  expect(first?.LastModified).toBeInstanceOf(Date);
  expect(first?.StorageClass).toBe('STANDARD');
});

it('groups by delimiter under a prefix', async () => {
  const r = await list({ Prefix: 'b/', Delimiter: '/' });
  expect(r.Contents?.map((c) => c.Key)).toEqual(['b/1.txt', 'b/2.txt']);
  expect(r.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/c/', 'b/d/']);
  expect(r.KeyCount).toBe(4);
  const top = await list({ Delimiter: '/' });
  expect(top.Contents?.map((c) => c.Key)).toEqual(['a.txt']);
  expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/', 'c d/', 'z/']);
});

it.each([1, 2, 3, 7])('paginates with MaxKeys=%d, no repeats, no gaps', async (MaxKeys) => {
  const flat = await listAll({ MaxKeys });
  expect(flat.keys).toEqual(KEYS);
  expect(flat.pages).toBe(Math.ceil(KEYS.length / MaxKeys));
  const grouped = await listAll({ MaxKeys, Delimiter: '/' });
  expect(grouped.keys).toEqual(['a.txt']);
  expect(grouped.prefixes).toEqual(['b/', 'c d/', 'z/']);
});

it('a truncated page has a token; start-after skips', async () => {
  const r = await list({ MaxKeys: 2 });
  expect(r.IsTruncated).toBe(true);
  expect(r.NextContinuationToken).toBeTruthy();
  const next = await list({ MaxKeys: 2, ContinuationToken: r.NextContinuationToken });
  expect(next.Contents?.map((c) => c.Key)).toEqual(['b/2.txt', 'b/c/3.txt']);
  const after = await list({ StartAfter: 'b/c/4.txt' });
  expect(after.Contents?.map((c) => c.Key)).toEqual(KEYS.slice(5));
});

it('encoding-type=url encodes keys and prefixes', async () => {
  const r = await list({ Prefix: 'c d/', EncodingType: 'url' });
  expect(r.Contents?.map((c) => c.Key)).toEqual(['c+d/e%2Bf.txt']);
  expect(r.Prefix).toBe('c+d/');
});

it('reflects deletes and new writes at once (index, no disk scan)', async () => {
  await h.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }));
  await h.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'b/0.txt', Body: 'x' }));
  const r = await list({ Prefix: 'b/', Delimiter: '/' });
  expect(r.Contents?.map((c) => c.Key)).toEqual(['b/0.txt', 'b/1.txt', 'b/2.txt']);
  expect((await list({ Prefix: 'a' })).KeyCount).toBe(0);
  await h.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'body:a.txt' }));
  await h.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'b/0.txt' }));
});

it('an empty bucket lists nothing; bad arguments are 400', async () => {
  const r = await h.client.send(new ListObjectsV2Command({ Bucket: 'other-bucket' }));
  expect(r.KeyCount).toBe(0);
  expect(r.Contents).toBeUndefined();
  await expect(list({ ContinuationToken: 'not-a-token!' })).rejects.toMatchObject({ name: 'InvalidArgument' });
  await expect(list({ MaxKeys: -1 })).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
});

it('HeadBucket and ListBuckets work; an unknown bucket is NoSuchBucket', async () => {
  await expect(h.client.send(new HeadBucketCommand({ Bucket: BUCKET }))).resolves.toBeDefined();
  const buckets = await h.client.send(new ListBucketsCommand({}));
  expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['other-bucket', BUCKET]);
  await expect(h.client.send(new ListObjectsV2Command({ Bucket: 'nope-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
});

it('unsupported bucket operations are 501 NotImplemented', async () => {
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const { GetBucketAclCommand } = await import('@aws-sdk/client-s3');
  const url = await getSignedUrl(h.client, new GetBucketAclCommand({ Bucket: BUCKET }));
  const r = await send({ method: 'GET', url });
  expect(r.status).toBe(501);
  expect(errorCode(r)).toBe('NotImplemented');
});
