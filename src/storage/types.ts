/**
 * The storage seam: a backend turns (operation, key, constraints) into the exact request a
 * client must send to storage. Routes, policy and logs never depend on which backend it is.
 */
import type { MultipartBackend } from './multipart';

export const ObjectOperations = {
  get: 'GetObject',
  head: 'HeadObject',
  put: 'PutObject',
  delete: 'DeleteObject',
} as const;
export type ObjectOperation = (typeof ObjectOperations)[keyof typeof ObjectOperations];

/** The HTTP method each operation is signed for (the method is part of every signature). */
export const OPERATION_METHODS = {
  [ObjectOperations.get]: 'GET',
  [ObjectOperations.head]: 'HEAD',
  [ObjectOperations.put]: 'PUT',
  [ObjectOperations.delete]: 'DELETE',
} as const satisfies Record<ObjectOperation, 'GET' | 'HEAD' | 'PUT' | 'DELETE'>;

export interface PresignInput {
  readonly operation: ObjectOperation;
  readonly bucket: string;
  readonly key: string;
  /** Requested lifetime in seconds; the backend may shorten it (credential expiry). */
  readonly expiresIn: number;
  readonly now: Date;
  /** PUT only: signed, so storage rejects a body of any other size. */
  readonly contentLength?: number;
  /** PUT only: signed when present, so storage rejects another type. */
  readonly contentType?: string;
  /** PUT only: `If-None-Match: *` signed, so storage refuses to overwrite. */
  readonly createOnly?: boolean;
  /**
   * PUT only: the body's SHA-256 as base64 (32 raw bytes). Signed as `x-amz-checksum-sha256`
   * where the backend's storage verifies it (`checksumSha256` below), so storage refuses any
   * other bytes; ignored by backends whose storage cannot (see capabilities.ts `bindsContent`).
   */
  readonly checksumSha256?: string;
  /** HEAD only (the gateway's own calls): ask storage for the checksums it keeps (`x-amz-checksum-mode: ENABLED`). */
  readonly checksumMode?: boolean;
  /** GET only: storage sets these response headers (S3's response-content-* parameters). */
  readonly responseContentDisposition?: string;
  readonly responseContentType?: string;
}

export interface PresignedRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'DELETE';
  readonly url: string;
  /** Headers the client must send as they are, because they are part of the signature. */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

/** The policy constraints a backend may or may not be able to make storage itself enforce. */
export const CONSTRAINT_NAMES = ['maxSize', 'contentTypes', 'ttl', 'createOnly'] as const;
export type ConstraintName = (typeof CONSTRAINT_NAMES)[number];

export interface StorageBackend {
  /** For logs and startup messages, e.g. `embedded`, `s3` or `azure`. */
  readonly kind: string;
  /**
   * Constraints storage itself enforces through what the backend signs. The gateway checks all
   * of them before it redirects; the others are gateway-only (a client holding the URL is not
   * bound by them), so startup refuses rules that need them unless they say `enforce: gateway`.
   */
  readonly storageEnforces: ReadonlySet<ConstraintName>;
  /**
   * True when storage verifies a signed `x-amz-checksum-sha256` against an upload's body (a
   * mismatch is refused and nothing is stored) and returns it on HEAD with checksum mode: AWS S3
   * and the embedded store. Absent: the checksum is not signed (Ceph RGW 16 accepts any bytes
   * under it, measured; GCS and Azure have no SHA-256 check). See capabilities.ts.
   */
  readonly checksumSha256?: boolean;
  /** Headers (lowercase name -> exact value) every upload must carry, e.g. Azure's `x-ms-blob-type`. */
  readonly requiredUploadHeaders?: Readonly<Record<string, string>>;
  presign(input: PresignInput): Promise<PresignedRequest>;
  /**
   * Optional: one page of a folder listing (S3 ListObjectsV2 with a delimiter), called by the
   * gateway itself. Backends without it answer listings with 501. Throws HttpErrors: 502
   * `storage_error` when storage refuses or fails, 504 `storage_timeout` when it is too slow.
   */
  list?(input: ListInput): Promise<ListPage>;
  /** Optional: presigned multipart uploads (S3 family); absent answers the multipart routes with 501. */
  readonly multipart?: MultipartBackend;
  /**
   * Optional: an S3 POST Object form (browser uploads of a size not known in advance) whose
   * signed policy makes storage enforce the exact key, the size range, the type and the expiry.
   * Absent (Azure has no POST policy): routes that need it answer 501, never a weaker upload.
   */
  presignPost?(input: PresignPostInput): Promise<PresignedPost>;
}

export interface PresignPostInput {
  readonly bucket: string;
  /** The exact key; a key containing `${filename}` is refused (S3 would substitute it). */
  readonly key: string;
  readonly expiresIn: number;
  readonly now: Date;
  /** The largest file storage accepts (`content-length-range`, from 0). */
  readonly maxSize: number;
  /** Sent as the `Content-Type` field and required to be exactly that. */
  readonly contentType?: string;
}

export interface PresignedPost {
  /** The form's action (the bucket's URL). */
  readonly url: string;
  /** The fields to send before the file, in order. */
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

/** One page of keys under `prefix`, grouped at `delimiter` (folders). */
export interface ListInput {
  readonly bucket: string;
  /** Full storage prefix (mount prefix included), empty or ending in the delimiter. */
  readonly prefix: string;
  readonly delimiter: string;
  /** 1 to 1000. */
  readonly maxKeys: number;
  /** The previous page's `next`, as storage returned it. */
  readonly continuationToken?: string;
  readonly now: Date;
}

export interface ListPage {
  readonly objects: readonly { readonly key: string; readonly size: number; readonly lastModified: string; readonly etag: string }[];
  /** Full storage keys of the sub-folders, each ending in the delimiter. */
  readonly folders: readonly string[];
  /** Present when there is more: the continuation token for the next page. */
  readonly next?: string;
}
