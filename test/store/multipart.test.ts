// Multipart uploads: the SDK's header-signed flow, presigned part URLs (as the gateway will
// hand them out), S3's ETag, part validation, abort, and the atomicity of completion.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { BUCKET, type Harness, errorCode, randomBody, send, startHarness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const MiB = 1024 * 1024;
const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();

async function createUpload(key: string, contentType?: string): Promise<string> {
  const r = await h.client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...(contentType ? { ContentType: contentType } : {}) }));
  expect(r.UploadId).toMatch(/^[0-9a-f]{32}$/);
  return r.UploadId as string;
}

async function presignedPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
  const url = await h.sign(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: partNumber }));
  const r = await send({ method: 'PUT', url, body });
  expect(r.status).toBe(200);
  return r.headers.etag as string;
}

it('SDK flow: create, upload parts, list parts, complete; S3-style ETag; object readable', async () => {
  const key = 'mp/sdk.bin';
  const parts = [randomBody(5 * MiB, 1), randomBody(5 * MiB, 2), randomBody(123, 3)];
  const uploadId = await createUpload(key, 'video/mp4');
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const r = await h.client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: i + 1, Body: body }));
    expect(r.ETag).toBe(`"${md5(body).toString('hex')}"`);
    etags.push(r.ETag as string);
  }
  const listed = await h.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual(parts.map((b, i) => [i + 1, b.length, etags[i]]));
  const uploadsListed = await h.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  expect(uploadsListed.Uploads?.map((u) => u.UploadId)).toContain(uploadId);

  const done = await h.client.send(
    new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
  );
  const expectedEtag = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-3"`;
  expect(done.ETag).toBe(expectedEtag);
  const head = await h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  expect(head.ContentLength).toBe(10 * MiB + 123);
  expect(head.ContentType).toBe('video/mp4');
  expect(head.ETag).toBe(expectedEtag);
  const got = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })), headers: { Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` } });
  expect(got.body.equals(Buffer.concat(parts).subarray(5 * MiB - 2, 5 * MiB + 2))).toBe(true);
  const full = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })) });
  expect(full.body.equals(Buffer.concat(parts))).toBe(true);
  expect(await readdir(path.join(h.dir, 'uploads'))).not.toContain(uploadId);
  await expect(h.client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
});

it('presigned part URLs work, a part can be re-sent, and only the listed parts are used', async () => {
  const key = 'mp/presigned.bin';
  const uploadId = await createUpload(key);
  const a = randomBody(5 * MiB, 10);
  const b = randomBody(1000, 11);
  await presignedPart(key, uploadId, 1, randomBody(5 * MiB, 99)); // replaced below
  const e1 = await presignedPart(key, uploadId, 1, a);
  const e2 = await presignedPart(key, uploadId, 2, b);
  await presignedPart(key, uploadId, 3, randomBody(10, 12)); // not listed in Complete
  // A presigned part URL is bound to its part number and upload id.
  const url = await h.sign(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 2 }));
  expect((await send({ method: 'PUT', url: url.replace('partNumber=2', 'partNumber=4'), body: b })).status).toBe(403);
  await h.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ ETag: e1, PartNumber: 1 }, { ETag: e2, PartNumber: 2 }] } }));
  const full = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })) });
  expect(full.body.equals(Buffer.concat([a, b]))).toBe(true);
});

it('refuses bad completions: wrong ETag, wrong order, small part, nothing listed; the upload survives them', async () => {
  const key = 'mp/bad.bin';
  const uploadId = await createUpload(key);
  const e1 = await presignedPart(key, uploadId, 1, randomBody(1000, 1));
  const e2 = await presignedPart(key, uploadId, 2, randomBody(1000, 2));
  const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
    h.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts } }));
  await expect(complete([{ ETag: '"0123456789abcdef0123456789abcdef"', PartNumber: 1 }])).rejects.toMatchObject({ name: 'InvalidPart' });
  await expect(complete([{ ETag: e2, PartNumber: 2 }, { ETag: e1, PartNumber: 1 }])).rejects.toMatchObject({ name: 'InvalidPartOrder' });
  await expect(complete([{ ETag: e1, PartNumber: 1 }, { ETag: e2, PartNumber: 2 }])).rejects.toMatchObject({ name: 'EntityTooSmall' });
  await expect(complete([])).rejects.toMatchObject({ name: 'MalformedXML' });
  await expect(h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  await complete([{ ETag: e1, PartNumber: 1 }]);
  const head = await h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  expect(head.ContentLength).toBe(1000);
});

it('abort removes the upload and its parts; later part uploads are NoSuchUpload', async () => {
  const key = 'mp/aborted.bin';
  const uploadId = await createUpload(key);
  await presignedPart(key, uploadId, 1, randomBody(100));
  await h.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  expect(await readdir(path.join(h.dir, 'uploads'))).not.toContain(uploadId);
  const url = await h.sign(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 2 }));
  const r = await send({ method: 'PUT', url, body: 'x' });
  expect([r.status, errorCode(r)]).toEqual([404, 'NoSuchUpload']);
  await expect(h.client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
  const listed = await h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
  expect(listed.KeyCount).toBe(0);
});

it('upload ids are checked: malformed, another key, traversal-looking', async () => {
  const uploadId = await createUpload('mp/owner.bin');
  for (const [key, id] of [
    ['mp/other.bin', uploadId],
    ['mp/owner.bin', '../../buckets'],
    ['mp/owner.bin', 'ABC'],
  ] as const) {
    const url = await h.sign(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: 1 }));
    const r = await send({ method: 'PUT', url, body: 'x' });
    expect([r.status, errorCode(r)]).toEqual([404, 'NoSuchUpload']);
  }
  const bad = await h.sign(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/owner.bin', UploadId: uploadId, PartNumber: 10001 }));
  expect(errorCode(await send({ method: 'PUT', url: bad, body: 'x' }))).toBe('InvalidArgument');
});

it('completion is create-only when If-None-Match: * is sent', async () => {
  const key = 'mp/exists.bin';
  const u1 = await createUpload(key);
  const e = await presignedPart(key, u1, 1, randomBody(10));
  await h.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: u1, MultipartUpload: { Parts: [{ ETag: e, PartNumber: 1 }] } }));
  const u2 = await createUpload(key);
  const e2 = await presignedPart(key, u2, 1, randomBody(20));
  await expect(
    h.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: u2, IfNoneMatch: '*', MultipartUpload: { Parts: [{ ETag: e2, PartNumber: 1 }] } })),
  ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  expect((await h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBe(10);
});

it('uploads survive a restart', async () => {
  const key = 'mp/restart.bin';
  const uploadId = await createUpload(key);
  const e = await presignedPart(key, uploadId, 1, randomBody(42));
  await h.restart();
  await h.client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ ETag: e, PartNumber: 1 }] } }));
  expect((await h.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBe(42);
});
