/**
 * The multipart seam: large uploads in parts, each part PUT by the client straight to storage
 * through a URL the gateway signs, then committed by the gateway. Two implementations:
 * s3-multipart.ts (S3 multipart uploads: AWS, Ceph RGW, the embedded store) and
 * azure-blocks.ts (Azure Put Block / Put Block List).
 *
 * Contract: the gateway stores nothing between calls. `create` returns an opaque upload id that
 * carries whatever the backend needs later; `partUrls` only signs; `listParts`, `complete` and
 * `abort` are the gateway's own requests to storage. Errors are HttpErrors: 404
 * `no_such_upload`, 400 `invalid_part`, 412 `precondition_failed`, other refusals 502
 * `storage_error`, 504 `storage_timeout`, 503 when credentials cannot be had.
 */

export interface UploadTarget {
  readonly bucket: string;
  readonly key: string;
  readonly now: Date;
}
export interface PartSpec {
  readonly partNumber: number;
  readonly size: number;
}
export interface StoredPart extends PartSpec {
  readonly etag: string;
}
/** A part to sign: with its exact size (signed, storage refuses any other), or without (any size up to S3's 5 GiB). */
export interface PartRequest {
  readonly partNumber: number;
  readonly size?: number;
}
export interface PartUrl extends PartRequest {
  readonly url: string;
  /**
   * Present when storage answers a part PUT without an ETag (Azure's Put Block): the value the
   * client sends back at Complete for this part.
   */
  readonly etag?: string;
}

export interface MultipartBackend {
  /**
   * True when a part URL also lets its holder overwrite the whole object (an Azure `w` SAS is
   * not bound to Put Block), so create-only uploads in parts are refused rather than weakened.
   */
  readonly partUrlsMayOverwrite?: boolean;
  /**
   * Present when the upload id itself carries the content type that Complete will store (Azure):
   * that type (undefined: none). The id is the client's to send back, so Complete checks it
   * against the policy again; S3 stores the type at create, where the gateway checked it.
   */
  contentTypeOf?(uploadId: string): string | undefined;
  create(input: UploadTarget & { readonly contentType?: string }): Promise<{ uploadId: string }>;
  partUrls(input: UploadTarget & { readonly uploadId: string; readonly parts: readonly PartRequest[]; readonly expiresIn: number }): Promise<{ urls: PartUrl[]; expiresAt: Date }>;
  /** Every uploaded part, in part-number order. */
  listParts(input: UploadTarget & { readonly uploadId: string }): Promise<StoredPart[]>;
  complete(input: UploadTarget & { readonly uploadId: string; readonly parts: readonly { partNumber: number; etag: string }[]; readonly createOnly?: boolean }): Promise<{ etag: string }>;
  abort(input: UploadTarget & { readonly uploadId: string }): Promise<void>;
}
