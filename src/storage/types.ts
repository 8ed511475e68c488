/**
 * The storage seam: a backend turns (operation, key, constraints) into the exact request a
 * client must send to storage. Routes, policy and logs never depend on which backend it is.
 */

export const ObjectOperations = {
  get: 'GetObject',
  head: 'HeadObject',
  put: 'PutObject',
  delete: 'DeleteObject',
} as const;
export type ObjectOperation = (typeof ObjectOperations)[keyof typeof ObjectOperations];

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

export interface StorageBackend {
  /** For logs and startup messages, e.g. `embedded` or `s3`. */
  readonly kind: string;
  presign(input: PresignInput): Promise<PresignedRequest>;
}
