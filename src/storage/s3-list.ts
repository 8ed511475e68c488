/**
 * Folder listings on S3-compatible storage, a call the gateway makes to storage itself.
 *
 * Contract: `list(input)` signs a ListObjectsV2 GET (`list-type=2`, `prefix`, `delimiter`,
 * `max-keys`, `continuation-token`) with the same direct SigV4 query presigner the redirects use
 * (a 60 s URL, never past the credentials' expiry), sends it through storage-call.ts (bounded
 * timeout; refusals 502 `storage_error` with the S3 code, never the URL; 504 `storage_timeout`;
 * credentials that cannot be had, 503) and parses the XML with fast-xml-parser (values kept as
 * strings: a key "0" or "1e3" stays a key).
 */
import { XMLParser } from 'fast-xml-parser';
import { HttpError } from '../http/errors';
import type { CredentialSource } from '../signing/credentials';
import { signableSeconds, type Presigner } from '../signing/sigv4-presigner';
import { storageCall, withCredentials, xmlText } from './storage-call';
import type { ListInput, ListPage } from './types';

export const DEFAULT_LIST_TIMEOUT_MS = 10_000;
const URL_LIFETIME_SECONDS = 60;
const STALE_TOKEN = { InvalidArgument: [400, 'invalid_cursor'] } as const;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === 'Contents' || name === 'CommonPrefixes',
});

export interface S3ListOptions {
  readonly timeoutMs?: number;
  /** Tests inject a fake. */
  readonly fetch?: typeof fetch;
}

export function createS3List(presign: Presigner, credentials: CredentialSource, options: S3ListOptions = {}): (input: ListInput) => Promise<ListPage> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LIST_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;

  return async (input) => {
    const creds = await withCredentials(() => credentials.get(input.now));
    const expiresIn = signableSeconds(creds, input.now, URL_LIFETIME_SECONDS);
    const query: Record<string, string> = { 'list-type': '2', prefix: input.prefix, delimiter: input.delimiter, 'max-keys': String(input.maxKeys) };
    if (input.continuationToken !== undefined) query['continuation-token'] = input.continuationToken;
    const url = presign(creds, { method: 'GET', bucket: input.bucket, key: '', query, headers: {}, expiresIn, now: input.now });

    // The gateway only sends tokens it sealed (routes/listing-cursor.ts); one storage no longer
    // accepts (a store that forgot it) is still the client's cursor to restart, not a 502.
    const known = input.continuationToken === undefined ? {} : STALE_TOKEN;
    const { text } = await storageCall('the listing', url, { method: 'GET', headers: {}, timeoutMs, fetch: doFetch }, known);
    return parseListing(text);
  };
}

interface RawListing {
  ListBucketResult?: {
    Contents?: { Key?: unknown; Size?: unknown; LastModified?: unknown; ETag?: unknown }[];
    CommonPrefixes?: { Prefix?: unknown }[];
    IsTruncated?: unknown;
    NextContinuationToken?: unknown;
  };
}

/** ListObjectsV2's XML -> ListPage; exported for tests. */
export function parseListing(xml: string): ListPage {
  let doc: RawListing;
  try {
    doc = parser.parse(xml) as RawListing;
  } catch {
    throw new HttpError(502, 'storage_error', 'storage sent a listing that is not XML');
  }
  const result = doc.ListBucketResult;
  if (result === undefined || typeof result !== 'object') throw new HttpError(502, 'storage_error', 'storage sent an unexpected listing');
  const objects = (result.Contents ?? []).map((c) => ({
    key: xmlText(c.Key),
    size: Number(xmlText(c.Size)) || 0,
    lastModified: xmlText(c.LastModified),
    etag: xmlText(c.ETag),
  }));
  const folders = (result.CommonPrefixes ?? []).map((p) => xmlText(p.Prefix));
  const truncated = xmlText(result.IsTruncated) === 'true';
  const next = xmlText(result.NextContinuationToken);
  return { objects, folders, ...(truncated && next !== '' && { next }) };
}
