/**
 * Large uploads to Azure Blob Storage behind the multipart seam (multipart.ts): every part is a
 * Put Block the client sends straight to Azure, and Complete is the gateway's Put Block List.
 *
 * Contract:
 * - Azure has no "create" call, so `create` makes the upload id itself: 20 random base64url
 *   characters, then `.` and the content type in base64url when there is one (the gateway stores
 *   nothing, and Put Block List is where Azure takes the blob's type). The id comes back from
 *   the client, so `contentTypeOf` lets Complete check that type against the policy again. Block ids are
 *   base64(`<random part>-<part number, 5 digits>`): one length for every upload, as Azure
 *   requires per blob, and tied to this upload so another upload's blocks are never committed.
 * - Part URLs are the blob's URL + `comp=block&blockid=…` + a `w` SAS (Azure and Azurite need `w`
 *   for Put Block). A SAS is not bound to an operation or a size, so the holder of a part URL could
 *   also overwrite the blob: `partUrlsMayOverwrite` makes the route refuse create-only uploads in
 *   parts, and sizes are checked at Complete from Azure's own block list. Put Block answers
 *   without an ETag, so each part URL carries the `etag` (its block id) the client sends back.
 * - `listParts` is Get Block List (`r` SAS, committed and uncommitted), keeping this upload's
 *   blocks; `complete` is Put Block List with `<Latest>` (a retried Complete commits the same
 *   blocks again), `x-ms-blob-content-type`, and `If-None-Match: *` for create-only.
 * - `abort` has nothing to call: Azure cannot delete uncommitted blocks. It discards them itself
 *   a week after the last Put Block, or when the blob is next committed (docs/multipart.md).
 */
import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { parseMediaType } from '../content/media-type';
import { HttpError } from '../http/errors';
import type { BlobSigner } from './azure-backend';
import type { MultipartBackend, StoredPart, UploadTarget } from './multipart';
import { storageCall, withCredentials, xmlText, type KnownErrors } from './storage-call';

export interface AzureBlocksOptions {
  readonly sign: BlobSigner;
  /** Get Block List (default 10 s). */
  readonly timeoutMs?: number;
  /** Put Block List (default 300 s). */
  readonly completeTimeoutMs?: number;
}

const CALL_SAS_SECONDS = 60;
const ID_RANDOM = /^[A-Za-z0-9_-]{20}$/;
/** The upload id carries the type to the Complete that stores it: one RFC 9110 media type, at most 255 characters. */
const storableType = (value: string): boolean => value.length <= 255 && parseMediaType(value).ok;
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true, isArray: (name) => name === 'Block' });
const KNOWN: KnownErrors = {
  InvalidBlockList: [400, 'invalid_part'],
  InvalidBlobOrBlock: [400, 'invalid_part'],
  InvalidBlockId: [400, 'invalid_part'],
  BlobAlreadyExists: [412, 'precondition_failed'],
  ConditionNotMet: [412, 'precondition_failed'],
  BlobNotFound: [404, 'no_such_upload'],
};

export function blockId(random: string, partNumber: number): string {
  return Buffer.from(`${random}-${String(partNumber).padStart(5, '0')}`).toString('base64');
}

/** The upload id -> its random part and content type; a malformed one is 400 (never sent to Azure). */
export function parseUploadId(uploadId: string): { random: string; contentType?: string } {
  const dot = uploadId.indexOf('.');
  const random = dot === -1 ? uploadId : uploadId.slice(0, dot);
  const contentType = dot === -1 ? undefined : Buffer.from(uploadId.slice(dot + 1), 'base64url').toString('latin1');
  if (!ID_RANDOM.test(random) || (contentType !== undefined && !storableType(contentType))) {
    throw new HttpError(400, 'invalid_upload_id', 'uploadId is not one this mount issued');
  }
  return { random, ...(contentType !== undefined && { contentType }) };
}

export function createAzureBlocks(options: AzureBlocksOptions): MultipartBackend {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const completeTimeoutMs = options.completeTimeoutMs ?? 300_000;
  const sign = (t: UploadTarget, permissions: string, expiresIn: number) =>
    withCredentials(() => options.sign({ container: t.bucket, blob: t.key, permissions, expiresIn, now: t.now }));

  async function listParts(t: UploadTarget & { readonly uploadId: string }): Promise<StoredPart[]> {
    const { random } = parseUploadId(t.uploadId);
    const { url, sas } = await sign(t, 'r', CALL_SAS_SECONDS);
    let text: string;
    try {
      ({ text } = await storageCall('Get Block List', `${url}?comp=blocklist&blocklisttype=all&${sas}`, { method: 'GET', headers: {}, timeoutMs }, KNOWN));
    } catch (err) {
      // No blob and no blocks yet: nothing uploaded, not an error.
      if (err instanceof HttpError && err.statusCode === 404) return [];
      throw err;
    }
    type Blocks = { Block?: { Name?: unknown; Size?: unknown }[] } | '';
    let doc: { BlockList?: { CommittedBlocks?: Blocks; UncommittedBlocks?: Blocks } };
    try {
      doc = parser.parse(text) as typeof doc;
    } catch {
      throw new HttpError(502, 'storage_error', 'storage sent a block list that is not XML');
    }
    const parts = new Map<number, StoredPart>();
    const prefix = `${random}-`;
    // Uncommitted last: Put Block List's <Latest> prefers them, so the list shows what it would commit.
    for (const blocks of [doc.BlockList?.CommittedBlocks, doc.BlockList?.UncommittedBlocks]) {
      for (const b of (typeof blocks === 'object' ? blocks.Block : undefined) ?? []) {
        const name = xmlText(b.Name);
        const decoded = Buffer.from(name, 'base64').toString('latin1');
        if (!decoded.startsWith(prefix) || !/^\d{5}$/.test(decoded.slice(prefix.length))) continue;
        const partNumber = Number(decoded.slice(prefix.length));
        parts.set(partNumber, { partNumber, etag: name, size: Number(xmlText(b.Size)) });
      }
    }
    return [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  return {
    partUrlsMayOverwrite: true,
    contentTypeOf: (uploadId) => parseUploadId(uploadId).contentType,
    create(t) {
      const random = randomBytes(15).toString('base64url');
      if (t.contentType !== undefined && !storableType(t.contentType)) return Promise.reject(new HttpError(400, 'invalid_content_type', 'the content type cannot be stored'));
      return Promise.resolve({ uploadId: t.contentType === undefined ? random : `${random}.${Buffer.from(t.contentType, 'latin1').toString('base64url')}` });
    },
    async partUrls(t) {
      const { random } = parseUploadId(t.uploadId);
      const { url, sas, expiresAt } = await sign(t, 'w', t.expiresIn);
      const urls = t.parts.map((p) => {
        const id = blockId(random, p.partNumber);
        return { ...p, url: `${url}?comp=block&blockid=${encodeURIComponent(id)}&${sas}`, etag: id };
      });
      return { urls, expiresAt };
    },
    listParts,
    async complete(t) {
      const { random, contentType } = parseUploadId(t.uploadId);
      const ids = t.parts.map((p) => {
        const id = blockId(random, p.partNumber);
        if (p.etag !== id) throw new HttpError(400, 'invalid_part', `part ${p.partNumber} does not belong to this upload`);
        return id;
      });
      const { url, sas } = await sign(t, 'w', CALL_SAS_SECONDS);
      const headers: Record<string, string> = { 'content-type': 'application/xml' };
      if (contentType !== undefined) headers['x-ms-blob-content-type'] = contentType;
      if (t.createOnly) headers['if-none-match'] = '*';
      const body = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
      const answer = await storageCall('Put Block List', `${url}?comp=blocklist&${sas}`, { method: 'PUT', headers, body, timeoutMs: completeTimeoutMs }, KNOWN);
      return { etag: (answer.headers.get('etag') ?? '').replace(/^"|"$/g, '') };
    },
    abort(t) {
      // Nothing to call (see the header comment); a malformed id is still refused.
      parseUploadId(t.uploadId);
      return Promise.resolve();
    },
  };
}
