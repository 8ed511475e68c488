/**
 * Checks of a PUT's headers before anything is signed: a length is required (S3 needs one and
 * it gets signed), chunked bodies are refused, and the policy's size, type and create-only
 * constraints are enforced here, before a single body byte is read.
 *
 * The content type is one media type by the RFC 9110 grammar (src/content/media-type.ts), sent
 * once (a repeated Content-Type or X-Upload-Content-Type is a 400: node keeps only the first
 * Content-Type and joins the others, so `req.rawHeaders` is what is counted). The value the
 * policy checks is, byte for byte, the value that is signed and that storage stores.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parseMediaType, type MediaType } from '../content/media-type';
import { badRequest, HttpError, lengthRequired, payloadTooLarge, unsupportedMediaType } from '../http/errors';
import { contentTypeAllowed } from '../policy';
import type { Constraints } from '../policy/types';
import type { PresignInput } from '../storage/types';

/** S3's limit for a single PUT; larger files need multipart. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export interface UploadRequest {
  readonly contentLength: number;
  readonly contentType?: MediaType;
  readonly createOnly: boolean;
}

/** 400 when any of `names` (lowercase) is sent more than once. */
export function refuseRepeatedHeaders(req: Pick<IncomingMessage, 'rawHeaders'>, names: readonly string[]): void {
  const raw = req.rawHeaders;
  for (const name of names) {
    let count = 0;
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name && ++count > 1) throw badRequest('duplicate_header', `send the ${name} header once (it was repeated)`);
  }
}

/** A content type to sign: exactly one RFC 9110 media type, or a 400 saying what is wrong. */
export function checkContentType(value: string, field = 'Content-Type'): MediaType {
  const parsed = parseMediaType(value);
  if (!parsed.ok) throw badRequest('invalid_content_type', `${field} is not a valid media type: ${parsed.reason}`);
  return parsed.mediaType;
}

/**
 * Header checks that do not depend on who is asking; `required`: the backend's
 * requiredUploadHeaders; `typeField`: what errors call the content type (tickets describe the
 * upload in other fields).
 */
export function readUploadHeaders(headers: IncomingHttpHeaders, required: Readonly<Record<string, string>> = {}, typeField = 'Content-Type'): UploadRequest {
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
  const type = headers['content-type'];
  const contentType = type === undefined ? undefined : checkContentType(type, typeField);
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
  enforceContentType(upload.contentType?.value, constraints);
  if (constraints.createOnly && !upload.createOnly) {
    throw new HttpError(428, 'precondition_required', 'this path is create-only: send "If-None-Match: *"');
  }
}

/** 415 unless the content type (exactly the value that is signed or stored) satisfies `contentTypes`. */
export function enforceContentType(contentType: string | undefined, constraints: Constraints): void {
  if (constraints.contentTypes !== undefined && !contentTypeAllowed(constraints.contentTypes, contentType)) {
    throw unsupportedMediaType(`Content-Type must be one of: ${constraints.contentTypes.join(', ')}`);
  }
}

/** What a PUT signs from an allowed upload: its length, its type if sent, create-only if asked or required. */
export function signedUploadFields(upload: UploadRequest, constraints: Constraints): Pick<PresignInput, 'contentLength' | 'contentType' | 'createOnly'> {
  return {
    contentLength: upload.contentLength,
    ...(upload.contentType !== undefined && { contentType: upload.contentType.value }),
    ...((upload.createOnly || constraints.createOnly) && { createOnly: true }),
  };
}
