/**
 * Pure pieces of the multipart routes: the part plan, header and query parsing, the bounded JSON
 * body reader. Nothing here talks to storage or to the policy.
 *
 * The part plan is a pure function of the declared total size, so the gateway stores nothing:
 * partSize = max(8 MiB, ceil(size / 10000) rounded up to a MiB) (S3: parts of 5 MiB to 5 GiB,
 * at most 10,000 of them; objects up to 5 TiB); every part is partSize bytes except the last.
 * A page of part URLs (`parts=first-last`, at most 1000) is re-derived from `X-Upload-Length`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError, lengthRequired, payloadTooLarge } from '../http/errors';
import type { PartSpec } from '../storage/multipart';
import { readSmallJson } from './route-kit';
import { readUploadHeaders, refuseRepeatedHeaders, type UploadRequest } from './upload-headers';

const MIB = 1024 * 1024;
export const MAX_MULTIPART_BYTES = 5 * 1024 ** 4;
export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 8 * MIB;
export const PARTS_PER_PAGE = 1000;
export const MAX_COMPLETE_BODY_BYTES = 1024 * 1024;

export function partSizeFor(size: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(Math.ceil(size / MAX_PARTS) / MIB) * MIB);
}

export function partCountFor(size: number): number {
  return Math.max(1, Math.ceil(size / partSizeFor(size)));
}

/** Parts first..last (1-based, inclusive, clamped to the plan) with their exact sizes. */
export function partSpecs(size: number, first: number, last: number): PartSpec[] {
  const partSize = partSizeFor(size);
  const specs: PartSpec[] = [];
  for (let n = first; n <= Math.min(last, partCountFor(size)); n++) specs.push({ partNumber: n, size: Math.min(partSize, size - (n - 1) * partSize) });
  return specs;
}

/** `X-Upload-Length` (required), the content type and If-None-Match, checked like a PUT's headers. */
export function readDeclaredUpload(req: Pick<IncomingMessage, 'headers' | 'rawHeaders'>): UploadRequest {
  const headers = req.headers;
  const length = headers['x-upload-length'];
  if (length === undefined) throw lengthRequired('X-Upload-Length (the total size in bytes) is required');
  if (typeof length !== 'string' || !/^\d{1,16}$/.test(length)) throw badRequest('invalid_upload_length', 'X-Upload-Length must be a non-negative integer');
  const size = Number(length);
  if (size > MAX_MULTIPART_BYTES) throw payloadTooLarge(`a multipart upload is limited to ${MAX_MULTIPART_BYTES} bytes (5 TiB)`);
  refuseRepeatedHeaders(req, ['x-upload-content-type', 'content-type']);
  const field = headers['x-upload-content-type'] !== undefined ? 'X-Upload-Content-Type' : 'Content-Type';
  const type = headers['x-upload-content-type'] ?? headers['content-type'];
  // The same validation as a PUT's headers (media type, If-None-Match: * only); the size is ours.
  const checked = readUploadHeaders(
    {
      'content-length': '0',
      ...(typeof type === 'string' && { 'content-type': type }),
      ...(headers['if-none-match'] !== undefined && { 'if-none-match': headers['if-none-match'] }),
    },
    {},
    field,
  );
  return { ...checked, contentLength: size };
}

/** `parts=first-last` -> [first, last], at most PARTS_PER_PAGE parts, within 1..count. */
export function parsePartRange(value: string, count: number): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(value);
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (!m || first < 1 || last < first || first > count) throw badRequest('invalid_parts', `parts must be "first-last" within 1-${count}`);
  if (last - first + 1 > PARTS_PER_PAGE) throw badRequest('invalid_parts', `at most ${PARTS_PER_PAGE} part URLs per request`);
  return [first, Math.min(last, count)];
}

/** S3 upload ids are opaque; this keeps them to characters AWS, RGW and the embedded store use. */
export function checkUploadId(value: string | null): string {
  if (value === null || !/^[A-Za-z0-9._~+/=-]{1,1024}$/.test(value)) throw badRequest('invalid_upload_id', 'uploadId is missing or malformed');
  return value;
}

/** The Complete body `{ parts: [{ partNumber, etag }] }`, at most 1 MB; honours Expect: 100-continue. */
export async function readCompleteBody(req: IncomingMessage, res: ServerResponse): Promise<{ partNumber: number; etag: string }[]> {
  return completeParts((await readSmallJson(req, res, MAX_COMPLETE_BODY_BYTES) as { parts?: unknown } | undefined)?.parts);
}

/** The parts a Complete names: 1 to 10000 `{ partNumber, etag }` in ascending order, quotes taken off the ETags. */
export function completeParts(parts: unknown): { partNumber: number; etag: string }[] {
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > MAX_PARTS) throw badRequest('invalid_json', 'expected { "parts": [{ "partNumber": n, "etag": "…" }, …] } with 1 to 10000 parts');
  let previous = 0;
  return parts.map((p: unknown) => {
    const { partNumber, etag } = (p ?? {}) as { partNumber?: unknown; etag?: unknown };
    if (typeof partNumber !== 'number' || !Number.isInteger(partNumber) || partNumber <= previous || partNumber > MAX_PARTS) {
      throw badRequest('invalid_parts', 'partNumber must be integers from 1 to 10000 in ascending order');
    }
    if (typeof etag !== 'string' || !/^"?[A-Za-z0-9+/=_.:-]{1,128}"?$/.test(etag)) throw badRequest('invalid_parts', 'every part needs its etag');
    previous = partNumber;
    return { partNumber, etag: etag.replace(/^"|"$/g, '') };
  });
}

export const notImplemented = (): HttpError => new HttpError(501, 'not_implemented', 'multipart uploads are not available on this mount');
