/**
 * The S3 backend: any S3-compatible store (AWS, Ceph RGW, MinIO, R2, the embedded store).
 * Turns a PresignInput into the exact request a client must send, signed with the direct
 * SigV4 presigner. URL lifetime is capped at SigV4's 7 days and at the signing credentials'
 * own expiry, because a URL outliving its credentials is dead on arrival. `presignPost` signs
 * S3 POST Object forms (post-policy.ts) with the same credentials and the same lifetime caps.
 */
import type { CredentialSource } from '../signing/credentials';
import { createPostSigner } from '../signing/post-policy';
import { createPresigner, signableSeconds, type S3Target } from '../signing/sigv4-presigner';
import { defaultS3ChecksumSha256 } from './capabilities';
import { createS3List } from './s3-list';
import { createS3Multipart } from './s3-multipart';
import { CONSTRAINT_NAMES, ObjectOperations, OPERATION_METHODS, type ConstraintName, type ObjectOperation, type PresignInput, type PresignedRequest, type PresignPostInput, type PresignedPost, type StorageBackend } from './types';

/** The SDK tags these operations with `x-id` (HeadObject has none); kept for byte-identical URLs. */
const X_ID: Partial<Record<ObjectOperation, string>> = {
  [ObjectOperations.get]: 'GetObject',
  [ObjectOperations.put]: 'PutObject',
  [ObjectOperations.delete]: 'DeleteObject',
};

const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

export interface S3BackendOptions {
  readonly region: string;
  /** Absent: AWS's regional endpoint. */
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly credentials: CredentialSource;
  readonly kind?: string;
  /** Override for stores that ignore a signed header's meaning (GCS: If-None-Match on PUT). */
  readonly storageEnforces?: ReadonlySet<ConstraintName>;
  /** Storage verifies a signed x-amz-checksum-sha256 (default: only AWS itself, see capabilities.ts). */
  readonly checksumSha256?: boolean;
  /** False for stores not known to verify SigV4 POST policies (GCS): no `presignPost`, so routes needing it fail closed. */
  readonly postPolicies?: boolean;
}

export function defaultS3Endpoint(region: string): string {
  return `https://s3.${region}.amazonaws.com`;
}

export function createS3Backend(options: S3BackendOptions): StorageBackend {
  const target: S3Target = {
    endpoint: new URL(options.endpoint ?? defaultS3Endpoint(options.region)),
    region: options.region,
    forcePathStyle: options.forcePathStyle,
  };
  const presign = createPresigner(target);
  const checksumSha256 = options.checksumSha256 ?? defaultS3ChecksumSha256(options.endpoint);
  const signPost = createPostSigner(target);
  async function presignPost(input: PresignPostInput): Promise<PresignedPost> {
    const credentials = await options.credentials.get(input.now);
    const expiresIn = signableSeconds(credentials, input.now, input.expiresIn);
    const { url, fields } = signPost(credentials, {
      bucket: input.bucket,
      key: input.key,
      expiresIn,
      now: input.now,
      conditions: [['content-length-range', 0, input.maxSize]],
      ...(input.contentType !== undefined && { fields: { 'Content-Type': input.contentType } }),
    });
    return { url, fields, expiresAt: new Date(input.now.getTime() + expiresIn * 1000) };
  }

  return {
    kind: options.kind ?? 's3',
    // Content-Length, Content-Type and If-None-Match are signed headers; X-Amz-Expires the ttl.
    storageEnforces: options.storageEnforces ?? new Set(CONSTRAINT_NAMES),
    checksumSha256,
    list: createS3List(presign, options.credentials),
    multipart: createS3Multipart({ presign, credentials: options.credentials }),
    async presign(input: PresignInput): Promise<PresignedRequest> {
      const credentials = await options.credentials.get(input.now);
      const expiresIn = signableSeconds(credentials, input.now, input.expiresIn);
      const method = OPERATION_METHODS[input.operation];
      const headers: Record<string, string> = {};
      const query: Record<string, string> = {};
      const xId = X_ID[input.operation];
      if (xId) query['x-id'] = xId;
      if (input.operation === ObjectOperations.put) {
        if (input.contentLength !== undefined) headers['content-length'] = String(input.contentLength);
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        if (input.createOnly) headers['if-none-match'] = '*';
        // A header, never a query parameter: the SDK's checksum parameters are what break uploads (field notes).
        if (checksumSha256 && input.checksumSha256 !== undefined) {
          if (!SHA256_BASE64.test(input.checksumSha256)) throw new Error('presign: checksumSha256 must be the base64 of 32 bytes');
          headers['x-amz-checksum-sha256'] = input.checksumSha256;
        }
      }
      if (checksumSha256 && input.operation === ObjectOperations.head && input.checksumMode) headers['x-amz-checksum-mode'] = 'ENABLED';
      if (input.operation === ObjectOperations.get) {
        if (input.responseContentDisposition !== undefined) query['response-content-disposition'] = input.responseContentDisposition;
        if (input.responseContentType !== undefined) query['response-content-type'] = input.responseContentType;
      }
      const url = presign(credentials, { method, bucket: input.bucket, key: input.key, query, headers, expiresIn, now: input.now });
      // content-length travels with the body itself; the rest the client must add.
      const { 'content-length': _length, ...mustSend } = headers;
      return { method, url, headers: mustSend, expiresAt: new Date(input.now.getTime() + expiresIn * 1000) };
    },
    ...(options.postPolicies !== false && { presignPost }),
  };
}
