/**
 * S3 multipart uploads behind the multipart seam (multipart.ts): AWS, Ceph RGW, the embedded store.
 *
 * Contract: `partUrls` only signs (UploadPart PUTs with `partNumber` + `uploadId`, each part's
 * Content-Length signed when its size is given, so storage refuses a body of any other size). The other four are the gateway's own requests to storage: CreateMultipartUpload
 * (`POST ?uploads`, Content-Type and nothing else signed), ListParts (`GET ?uploadId`, all pages),
 * CompleteMultipartUpload (`POST ?uploadId`, XML body; `If-None-Match: *` signed for create-only)
 * and AbortMultipartUpload (`DELETE ?uploadId`). They are signed with the direct SigV4 query
 * presigner (60 s URLs, never past the credentials' expiry) and sent by storage-call.ts. S3's
 * NoSuchUpload is 404 `no_such_upload`; InvalidPart, InvalidPartOrder and EntityTooSmall 400
 * `invalid_part`; PreconditionFailed 412. A 200 Complete whose body is an <Error> is an error.
 */
import { XMLParser } from 'fast-xml-parser';
import { HttpError } from '../http/errors';
import type { CredentialSource, SigningCredentials } from '../signing/credentials';
import { signableSeconds, type Presigner } from '../signing/sigv4-presigner';
import type { MultipartBackend, StoredPart, UploadTarget } from './multipart';
import { storageCall, withCredentials, xmlText, type KnownErrors } from './storage-call';

export interface S3MultipartOptions {
  /** The S3 backend's presigner: one per endpoint, sharing its signing-key cache. */
  readonly presign: Presigner;
  readonly credentials: CredentialSource;
  /** Create, list, abort (default 10 s). */
  readonly timeoutMs?: number;
  /** Complete copies every byte on some stores (default 300 s). */
  readonly completeTimeoutMs?: number;
}

const CALL_URL_SECONDS = 60;
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true, isArray: (name) => name === 'Part' });
const xmlEscape = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const CLIENT_ERRORS: KnownErrors = {
  NoSuchUpload: [404, 'no_such_upload'],
  InvalidPart: [400, 'invalid_part'],
  InvalidPartOrder: [400, 'invalid_part'],
  EntityTooSmall: [400, 'invalid_part'],
  PreconditionFailed: [412, 'precondition_failed'],
};

export function createS3Multipart(options: S3MultipartOptions): MultipartBackend {
  const { presign } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const completeTimeoutMs = options.completeTimeoutMs ?? 300_000;

  const creds = (now: Date): Promise<SigningCredentials> => withCredentials(() => options.credentials.get(now));

  /** One signed call; returns the parsed XML (or {} for an empty body). */
  async function call(what: string, t: UploadTarget, method: string, query: Record<string, string>, headers: Record<string, string>, body?: string, ms = timeoutMs): Promise<Record<string, unknown>> {
    const c = await creds(t.now);
    const url = presign(c, { method, bucket: t.bucket, key: t.key, query, headers, expiresIn: signableSeconds(c, t.now, CALL_URL_SECONDS), now: t.now });
    const { text } = await storageCall(what, url, { method, headers, timeoutMs: ms, ...(body !== undefined && { body }) }, CLIENT_ERRORS);
    if (text.trim() === '') return {};
    try {
      return parser.parse(text) as Record<string, unknown>;
    } catch {
      throw new HttpError(502, 'storage_error', `storage sent an answer to ${what} that is not XML`);
    }
  }

  return {
    async create(t) {
      const doc = await call('CreateMultipartUpload', t, 'POST', { uploads: '' }, t.contentType !== undefined ? { 'content-type': t.contentType } : {});
      const uploadId = xmlText((doc.InitiateMultipartUploadResult as { UploadId?: unknown } | undefined)?.UploadId);
      if (uploadId === '') throw new HttpError(502, 'storage_error', 'storage sent no UploadId');
      return { uploadId };
    },
    async partUrls(t) {
      const c = await creds(t.now);
      const expiresIn = signableSeconds(c, t.now, t.expiresIn);
      const urls = t.parts.map((p) => ({
        ...p,
        url: presign(c, { method: 'PUT', bucket: t.bucket, key: t.key, query: { partNumber: String(p.partNumber), uploadId: t.uploadId }, headers: p.size === undefined ? {} : { 'content-length': String(p.size) }, expiresIn, now: t.now }),
      }));
      return { urls, expiresAt: new Date(t.now.getTime() + expiresIn * 1000) };
    },
    async listParts(t) {
      const parts: StoredPart[] = [];
      let marker = '0';
      for (let page = 0; page < 20; page++) {
        const doc = await call('ListParts', t, 'GET', { uploadId: t.uploadId, 'max-parts': '1000', 'part-number-marker': marker }, {});
        const result = (doc.ListPartsResult ?? {}) as { Part?: { PartNumber?: unknown; ETag?: unknown; Size?: unknown }[]; IsTruncated?: unknown; NextPartNumberMarker?: unknown };
        for (const p of result.Part ?? []) parts.push({ partNumber: Number(xmlText(p.PartNumber)), etag: xmlText(p.ETag).replace(/^"|"$/g, ''), size: Number(xmlText(p.Size)) });
        marker = xmlText(result.NextPartNumberMarker);
        if (xmlText(result.IsTruncated) !== 'true' || marker === '') break;
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },
    async complete(t) {
      const xml = `<CompleteMultipartUpload>${t.parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${xmlEscape(p.etag)}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const headers: Record<string, string> = t.createOnly ? { 'if-none-match': '*' } : {};
      const doc = await call('CompleteMultipartUpload', t, 'POST', { uploadId: t.uploadId }, headers, xml, completeTimeoutMs);
      const etag = xmlText((doc.CompleteMultipartUploadResult as { ETag?: unknown } | undefined)?.ETag).replace(/^"|"$/g, '');
      return { etag };
    },
    async abort(t) {
      await call('AbortMultipartUpload', t, 'DELETE', { uploadId: t.uploadId }, {});
    },
  };
}
