/**
 * Checks of a PUT's headers before anything is signed: a length is required (S3 needs one and
 * it gets signed), chunked bodies are refused, and the policy's size, type and create-only
 * constraints are enforced here, before a single body byte is read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest, HttpError, lengthRequired, payloadTooLarge, unsupportedMediaType } from '../http/errors';
import { contentTypeAllowed } from '../policy';
import type { Constraints } from '../policy/types';
import type { PresignInput } from '../storage/types';

/** S3's limit for a single PUT; larger files need multipart. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[^\u0000-\u001f\u007f]*)?$/;

export interface UploadRequest {
  readonly contentLength: number;
  readonly contentType?: string;
  readonly createOnly: boolean;
}

/** Header checks that do not depend on who is asking; `required`: the backend's requiredUploadHeaders. */
export function readUploadHeaders(headers: IncomingHttpHeaders, required: Readonly<Record<string, string>> = {}): UploadRequest {
  for (const [name, value] of Object.entries(required)) {
    if (headers[name] !== value) throw badRequest('missing_header', `uploads here must send the header "${name}: ${value}" (curl: -H '${name}: ${value}')`);
  }
  if (headers['transfer-encoding'] !== undefined) {
    throw lengthRequired('chunked uploads are not supported: send Content-Length (curl: use --upload-file FILE, not -T -)');
  }
  const length = headers['content-length'];
  if (length === undefined) throw lengthRequired('Content-Length is required for uploads');
  if (!/^\d{1,16}$/.test(length)) throw badRequest('invalid_content_length', 'Content-Length must be a non-negative integer');
  const contentLength = Number(length);
  if (contentLength > MAX_SINGLE_PUT_BYTES) {
    throw payloadTooLarge(`a single upload is limited to ${MAX_SINGLE_PUT_BYTES} bytes (5 GiB)`);
  }
  const contentType = headers['content-type'];
  if (contentType !== undefined && !MEDIA_TYPE.test(contentType)) throw badRequest('invalid_content_type', 'Content-Type is not a valid media type');
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw badRequest('invalid_if_none_match', 'only "If-None-Match: *" (create, never overwrite) is supported on uploads');
  }
  return { contentLength, ...(contentType !== undefined && { contentType }), createOnly: ifNoneMatch !== undefined };
}

/** Enforces an allow decision's constraints on an upload. */
export function enforceUploadConstraints(upload: UploadRequest, constraints: Constraints): void {
  if (constraints.maxSize !== undefined && upload.contentLength > constraints.maxSize) {
    throw payloadTooLarge(`uploads here are limited to ${constraints.maxSize} bytes`);
  }
  if (constraints.contentTypes !== undefined) {
    if (!contentTypeAllowed(constraints.contentTypes, upload.contentType)) {
      throw unsupportedMediaType(`Content-Type must be one of: ${constraints.contentTypes.join(', ')}`);
    }
  }
  if (constraints.createOnly && !upload.createOnly) {
    throw new HttpError(428, 'precondition_required', 'this path is create-only: send "If-None-Match: *"');
  }
}

/** What a PUT signs from an allowed upload: its length, its type if sent, create-only if asked or required. */
export function signedUploadFields(upload: UploadRequest, constraints: Constraints): Pick<PresignInput, 'contentLength' | 'contentType' | 'createOnly'> {
  return {
    contentLength: upload.contentLength,
    ...(upload.contentType !== undefined && { contentType: upload.contentType }),
    ...((upload.createOnly || constraints.createOnly) && { createOnly: true }),
  };
}
