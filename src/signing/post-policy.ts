/**
 * SigV4 POST policies (S3 "POST Object", browser form uploads) on node:crypto.
 *
 * Contract: `createPostSigner(target)(credentials, request)` returns the form's action URL (the
 * bucket) and the fields to send before the file: the base64 policy document (expiration plus
 * one condition per field, the exact key, and the caller's extra conditions such as
 * `content-length-range`), `x-amz-algorithm/credential/date/signature` and the caller's fields.
 * The signature is HMAC-SHA256(signing key, base64 policy), hex. Pure: the clock comes in as `now`.
 *
 * The output is byte-identical to @aws-sdk/s3-presigned-post's `createPresignedPost` (field
 * names, field order, condition order and the policy text), so what S3 accepts from the SDK it
 * accepts from us; test/signing/post-policy-equivalence.test.ts proves it over a corpus. Written
 * here rather than calling the SDK because the SDK needs an S3Client (its endpoint rules and
 * credential chain) per call, which the gateway does not otherwise load.
 */
import { createHmac } from 'node:crypto';
import type { SigningCredentials } from './credentials';
import { isVirtualHostableBucket, SigningKeyCache, toAmzDate, type S3Target } from './sigv4-presigner';
import { uriEncode } from './uri-encode';

/** A POST policy condition: exact match `{field: value}`, or `[operator, ...args]`. */
export type PolicyCondition = Readonly<Record<string, string>> | readonly ['eq' | 'starts-with', string, string] | readonly ['content-length-range', number, number];

export interface PostPolicyRequest {
  readonly bucket: string;
  readonly key: string;
  readonly expiresIn: number;
  readonly now: Date;
  /** Extra form fields (e.g. `Content-Type`); each is also an exact-match condition. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Extra conditions, placed first (e.g. `['content-length-range', 0, max]`). */
  readonly conditions?: readonly PolicyCondition[];
}

export interface PresignedPostForm {
  /** The form's action: the bucket's URL. */
  readonly url: string;
  /** Every field to send before the file, in this order. */
  readonly fields: Readonly<Record<string, string>>;
}

export type PostSigner = (credentials: SigningCredentials, request: PostPolicyRequest) => PresignedPostForm;

const ALGORITHM = 'AWS4-HMAC-SHA256';
export const FILENAME_VARIABLE = '${filename}';

export function createPostSigner(target: S3Target): PostSigner {
  const { endpoint, region } = target;
  const scheme = endpoint.protocol;
  const host = endpoint.host;
  const basePath = endpoint.pathname.replace(/\/+$/, '');
  const signingKeys = new SigningKeyCache(region, 's3');
  const bucketUrl = (bucket: string): string =>
    !target.forcePathStyle && isVirtualHostableBucket(bucket, scheme === 'http:') ? `${scheme}//${bucket}.${host}${basePath}/` : `${scheme}//${host}${basePath}/${uriEncode(bucket)}`;

  return (credentials, request) => {
    // S3 replaces `${filename}` in the key field with the name the form gives the file, after
    // checking the policy: the object would land on a key the policy never saw.
    if (request.key.includes(FILENAME_VARIABLE)) throw new Error('post policy: keys containing ${filename} are never signed');
    const amzDate = toAmzDate(request.now);
    const date = amzDate.slice(0, 8);
    const signed: Record<string, string> = {
      ...request.fields,
      bucket: request.bucket,
      'X-Amz-Algorithm': ALGORITHM,
      'X-Amz-Credential': `${credentials.accessKeyId}/${date}/${region}/s3/aws4_request`,
      'X-Amz-Date': amzDate,
      ...(credentials.sessionToken !== undefined && { 'X-Amz-Security-Token': credentials.sessionToken }),
    };
    // The SDK's order and de-duplication: extra conditions, one per field, then the key.
    const conditions = new Set<string>();
    for (const c of request.conditions ?? []) conditions.add(JSON.stringify(c));
    for (const [name, value] of Object.entries(signed)) conditions.add(JSON.stringify({ [name]: value }));
    conditions.add(JSON.stringify({ key: request.key }));
    const expiration = new Date(request.now.getTime() + request.expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const policy = Buffer.from(`{"expiration":${JSON.stringify(expiration)},"conditions":[${[...conditions].join(',')}]}`).toString('base64');
    const signature = createHmac('sha256', signingKeys.get(credentials.secretAccessKey, date)).update(policy).digest('hex');
    return { url: bucketUrl(request.bucket), fields: { ...signed, key: request.key, Policy: policy, 'X-Amz-Signature': signature } };
  };
}
