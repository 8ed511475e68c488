/**
 * S3 POST Object (browser form uploads with a signed policy), as a suite run against any S3:
 * the embedded store (test/store/post-object.test.ts) and Ceph RGW
 * (test/e2e/post-object-rgw.test.ts). Forms are built byte by byte here (field order, name
 * case, fields after the file), signed by the gateway's signer (createPostSigner) and, once, by
 * the reference library (@aws-sdk/s3-presigned-post). Every refusal is checked to leave no
 * object behind.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { createPostSigner, type PolicyCondition } from '../../src/signing/post-policy';
import { errorCode, send, type RawResponse } from './helpers';

export interface PostTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** A second bucket on the same store (a policy for one must not work on the other). */
  readonly otherBucket: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly client: S3Client;
}

/** Where a store answers differently from S3 (and the embedded store): measured, and documented in docs/uppy.md. */
export interface PostDifferences {
  /** The 204 answer carries the object's ETag (S3 does; RGW 16 does not). */
  readonly etagHeader: boolean;
  /** The code for a signature that does not match (S3: SignatureDoesNotMatch; RGW 16: AccessDenied). */
  readonly badSignature: string;
  /** A form without a file: S3 refuses it (400); RGW 16 stores a 2-byte object (204). */
  readonly noFile: 400 | 204;
}

export const S3_BEHAVIOUR: PostDifferences = { etagHeader: true, badSignature: 'SignatureDoesNotMatch', noFile: 400 };

export type FormPart = readonly [string, string] | readonly [string, { readonly filename: string; readonly type?: string; readonly data: Buffer }];

export function formBody(parts: readonly FormPart[], boundary = `----signpost${randomBytes(8).toString('hex')}`): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const [name, value] of parts) {
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: ${value.type ?? 'application/octet-stream'}\r\n\r\n`, 'utf8'), value.data, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function postForm(url: string, parts: readonly FormPart[]): Promise<RawResponse> {
  const { body, contentType } = formBody(parts);
  return send({ method: 'POST', url, headers: { 'Content-Type': contentType }, body });
}

/** The fields of a signed form followed by the file. */
export const withFile = (fields: Readonly<Record<string, string>>, data: Buffer, extra: readonly FormPart[] = []): FormPart[] => [
  ...Object.entries(fields),
  ...extra,
  ['file', { filename: 'upload.bin', data }],
];

export function postObjectSuite(name: string, target: () => PostTarget, differs: PostDifferences = S3_BEHAVIOUR): void {
  const sign = (opts: { key: string; maxSize?: number; minSize?: number; contentType?: string; expiresIn?: number; now?: Date; bucket?: string; fields?: Record<string, string>; conditions?: PolicyCondition[] }) => {
    const t = target();
    const signer = createPostSigner({ endpoint: new URL(t.endpoint), region: t.region, forcePathStyle: true });
    return signer(t.credentials, {
      bucket: opts.bucket ?? t.bucket,
      key: opts.key,
      expiresIn: opts.expiresIn ?? 300,
      now: opts.now ?? new Date(),
      conditions: [['content-length-range', opts.minSize ?? 0, opts.maxSize ?? 10_000_000], ...(opts.conditions ?? [])],
      fields: { ...(opts.contentType !== undefined && { 'Content-Type': opts.contentType }), ...opts.fields },
    });
  };
  const read = async (key: string): Promise<{ body: Buffer; contentType: string | undefined } | undefined> => {
    const t = target();
    try {
      const out = await t.client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
      return { body: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  };
  const unique = (base: string) => `post-${name}/${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/${base}`;
  const data = randomBytes(1024);

  describe(`S3 POST Object (${name})`, () => {
    it('accepts a form signed by the reference library (@aws-sdk/s3-presigned-post)', async () => {
      const t = target();
      const key = unique('sdk.bin');
      const { url, fields } = await createPresignedPost(t.client, { Bucket: t.bucket, Key: key, Conditions: [['content-length-range', 0, 5000]], Fields: { 'Content-Type': 'application/x-test' }, Expires: 120 });
      const res = await postForm(url, withFile(fields, data));
      expect([res.status, res.body.toString()]).toEqual([204, '']);
      if (differs.etagHeader) expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(await read(key)).toEqual({ body: data, contentType: 'application/x-test' });
    });

    it("accepts the gateway's form: exact key, type and size range, with a tricky key", async () => {
      const key = unique("a b/ü+%#?=&@()'!*~ 日本.txt");
      const form = sign({ key, contentType: 'text/plain; charset=utf-8', maxSize: data.length });
      const res = await postForm(form.url, withFile(form.fields, data));
      expect(res.status).toBe(204);
      expect(await read(key)).toEqual({ body: data, contentType: 'text/plain; charset=utf-8' });
    });

    it('field names are case-insensitive; x-ignore-* fields and fields after the file are ignored', async () => {
      const key = unique('case.bin');
      const form = sign({ key, contentType: 'image/png' });
      const lowered = Object.entries(form.fields).map(([k, v]) => [k.toLowerCase(), v] as const);
      const res = await postForm(form.url, [...lowered, ['x-ignore-note', 'anything'], ['file', { filename: 'x.png', data }], ['x-amz-meta-late', 'after the file']]);
      expect(res.status).toBe(204);
      expect((await read(key))?.body).toEqual(data);
    });

    it('success_action_status 201 answers a PostResponse document naming the key', async () => {
      const key = unique('created.bin');
      const form = sign({ key, fields: { success_action_status: '201' } });
      const res = await postForm(form.url, withFile(form.fields, data));
      expect(res.status).toBe(201);
      expect(res.body.toString()).toMatch(new RegExp(`<Key>${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</Key>`));
    });

    const refusals: [string, (key: string) => { url: string; parts: FormPart[] }, number, string][] = [
      ['a tampered signature', (key) => {
        const f = sign({ key });
        return { url: f.url, parts: withFile({ ...f.fields, 'X-Amz-Signature': f.fields['X-Amz-Signature']!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }, data) };
      }, 403, differs.badSignature],
      ['a policy edited to allow more (same signature)', (key) => {
        const f = sign({ key, maxSize: 10 });
        const policy = Buffer.from(Buffer.from(f.fields.Policy!, 'base64').toString().replace('10]', '10000]')).toString('base64');
        return { url: f.url, parts: withFile({ ...f.fields, Policy: policy }, data) };
      }, 403, differs.badSignature],
      ['an expired policy', (key) => {
        const f = sign({ key, now: new Date(Date.now() - 3_600_000), expiresIn: 60 });
        return { url: f.url, parts: withFile(f.fields, data) };
      }, 403, 'AccessDenied'],
      ['another key than the signed one', (key) => {
        const f = sign({ key });
        return { url: f.url, parts: withFile({ ...f.fields, key: `${key}.other` }, data) };
      }, 403, 'AccessDenied'],
      ['another Content-Type than the signed one', (key) => {
        const f = sign({ key, contentType: 'image/png' });
        return { url: f.url, parts: withFile({ ...f.fields, 'Content-Type': 'text/html' }, data) };
      }, 403, 'AccessDenied'],
      ['no Content-Type where one is signed', (key) => {
        const f = sign({ key, contentType: 'image/png' });
        const { 'Content-Type': _type, ...rest } = f.fields;
        return { url: f.url, parts: withFile(rest, data) };
      }, 403, 'AccessDenied'],
      ['an extra field the policy does not name', (key) => {
        const f = sign({ key });
        return { url: f.url, parts: withFile(f.fields, data, [['x-amz-meta-extra', 'sneaked in']]) };
      }, 403, 'AccessDenied'],
      ['a file larger than content-length-range allows', (key) => {
        const f = sign({ key, maxSize: data.length - 1 });
        return { url: f.url, parts: withFile(f.fields, data) };
      }, 400, 'EntityTooLarge'],
      ['a file smaller than content-length-range allows', (key) => {
        const f = sign({ key, minSize: data.length + 1, maxSize: data.length + 100 });
        return { url: f.url, parts: withFile(f.fields, data) };
      }, 400, 'EntityTooSmall'],
      ['a policy for another bucket', (key) => {
        const f = sign({ key, bucket: target().otherBucket });
        return { url: f.url.replace(target().otherBucket, target().bucket), parts: withFile(f.fields, data) };
      }, 403, 'AccessDenied'],
    ];
    it.each(refusals.map(([what, build, status, code]) => [what, status, code, build] as const))('refuses %s: %i %s, and stores nothing', async (_what, status, code, build) => {
      const key = unique('refused.bin');
      const { url, parts } = build(key);
      const res = await postForm(url, parts);
      expect([res.status, errorCode(res)]).toEqual([status, code]);
      expect(await read(key)).toBeUndefined();
      expect(await read(`${key}.other`)).toBeUndefined();
    });

    it(`answers a form without a file with ${differs.noFile}`, async () => {
      const key = unique('nofile.bin');
      const f = sign({ key });
      const res = await postForm(f.url, Object.entries(f.fields));
      expect(res.status).toBe(differs.noFile);
      if (differs.noFile === 400) expect(await read(key)).toBeUndefined();
      else expect((await read(key))?.body.length).toBeLessThanOrEqual(2); // RGW 16 stores the form's closing CRLF
    });
  });
}
