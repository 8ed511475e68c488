/**
 * POST Object on the embedded store: the shared S3 suite (also run on Ceph RGW), then what only
 * the store's own code can show: bounded fields before the file, a large file streamed through
 * the size range, malformed and aborted forms leaving no object and no temp file, and forms that
 * are not forms.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { createPostSigner } from '../../src/signing/post-policy';
import { BUCKET, CREDENTIALS, REGION, type Harness, errorCode, randomBody, send, startHarness } from './helpers';
import { formBody, postForm, postObjectSuite, withFile } from './post-object-conformance';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

postObjectSuite('embedded', () => ({ endpoint: h.store.url, region: REGION, bucket: BUCKET, otherBucket: 'other-bucket', credentials: CREDENTIALS, client: h.client }));

describe('POST Object: the embedded store itself', () => {
  const sign = (key: string, maxSize = 100_000_000) =>
    createPostSigner({ endpoint: new URL(h.store.url), region: REGION, forcePathStyle: true })(CREDENTIALS, { bucket: BUCKET, key, expiresIn: 300, now: new Date(), conditions: [['content-length-range', 0, maxSize]] });
  const stored = async (key: string): Promise<number> => (await h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }))).KeyCount ?? 0;
  const tmpFiles = async () => readdir(path.join(h.dir, 'tmp'));
  const eventually = async (check: () => Promise<boolean>, ms = 5000): Promise<void> => {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('streams a 40 MB file through the size range and stores it whole', async () => {
    const big = randomBody(40 * 1000 * 1000, 7);
    const form = sign('post/big.bin', big.length);
    const res = await postForm(form.url, withFile(form.fields, big));
    expect(res.status).toBe(204);
    const got = await send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: 'post/big.bin' })) });
    expect(got.body.equals(big)).toBe(true);
  });

  it('stops reading a file as soon as it passes the maximum, leaving no temp file', async () => {
    const form = sign('post/too-big.bin', 1000);
    const res = await postForm(form.url, withFile(form.fields, randomBody(8 * 1024 * 1024, 3)));
    expect([res.status, errorCode(res)]).toEqual([400, 'EntityTooLarge']);
    expect(res.headers.connection).toBe('close');
    expect(await stored('post/too-big.bin')).toBe(0);
    await eventually(async () => (await tmpFiles()).length === 0);
  });

  it.each([
    ['fields over 20 KB before the file', (f: Record<string, string>) => withFile({ ...f, 'x-ignore-pad': 'x'.repeat(21 * 1024) }, Buffer.from('x'))],
    ['more than 200 fields before the file', (f: Record<string, string>) => withFile({ ...f, ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-ignore-${i}`, 'v'])) }, Buffer.from('x'))],
  ])('refuses %s: 400 MaxPostPreDataLengthExceededError', async (_what, build) => {
    const form = sign('post/pre.bin');
    const res = await postForm(form.url, build(form.fields));
    expect([res.status, errorCode(res)]).toEqual([400, 'MaxPostPreDataLengthExceededError']);
    expect(await stored('post/pre.bin')).toBe(0);
  });

  it('refuses a field sent twice (400) and a form with no policy (403)', async () => {
    const form = sign('post/twice.bin');
    const twice = await postForm(form.url, [...Object.entries(form.fields), ['key', 'post/twice.bin'], ['file', { filename: 'f', data: Buffer.from('x') }]]);
    expect([twice.status, errorCode(twice)]).toEqual([400, 'InvalidArgument']);
    const anonymous = await postForm(form.url, [['key', 'post/anon.bin'], ['file', { filename: 'f', data: Buffer.from('x') }]]);
    expect([anonymous.status, errorCode(anonymous)]).toEqual([403, 'AccessDenied']);
    expect(await stored('post/twice.bin')).toBe(0);
    expect(await stored('post/anon.bin')).toBe(0);
  });

  it('a form cut off after the file (no closing boundary) stores nothing', async () => {
    const form = sign('post/cut.bin');
    const { body, contentType } = formBody(withFile(form.fields, randomBody(100_000, 9)));
    const cut = body.subarray(0, body.length - 10);
    const res = await send({ method: 'POST', url: form.url, headers: { 'Content-Type': contentType, 'Content-Length': cut.length }, body: cut });
    expect([res.status, errorCode(res)]).toEqual([400, 'MalformedPOSTRequest']);
    expect(await stored('post/cut.bin')).toBe(0);
    await eventually(async () => (await tmpFiles()).length === 0);
  });

  it('a client that disconnects halfway through the file leaves no object and no temp file', async () => {
    const form = sign('post/abort.bin');
    const { body, contentType } = formBody(withFile(form.fields, randomBody(4 * 1024 * 1024, 5)));
    const u = new URL(form.url);
    await new Promise<void>((resolve) => {
      const req = http.request({ method: 'POST', host: u.hostname, port: u.port, path: u.pathname, headers: { 'Content-Type': contentType, 'Content-Length': body.length }, agent: false });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(body.subarray(0, 1024 * 1024), () => setTimeout(() => req.destroy(), 100));
    });
    await eventually(async () => (await tmpFiles()).length === 0);
    expect(await stored('post/abort.bin')).toBe(0);
  });

  it.each([
    ['not multipart/form-data', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'key=a', 412, 'PreconditionFailed'],
    ['multipart without a boundary', { 'Content-Type': 'multipart/form-data' }, 'x', 412, 'PreconditionFailed'],
    ['garbage instead of parts', { 'Content-Type': 'multipart/form-data; boundary=zzz' }, 'no parts here at all', 400, 'MalformedPOSTRequest'],
  ] as const)('refuses a POST that is %s', async (_what, headers, body, status, code) => {
    const res = await send({ method: 'POST', url: `${h.store.url}/${BUCKET}`, headers, body });
    expect([res.status, errorCode(res)]).toEqual([status, code]);
  });

  it('a POST to a bucket that does not exist is 404 NoSuchBucket', async () => {
    const form = sign('x');
    const res = await postForm(`${h.store.url}/no-such-bucket`, withFile(form.fields, Buffer.from('x')));
    expect([res.status, errorCode(res)]).toEqual([404, 'NoSuchBucket']);
  });
});
