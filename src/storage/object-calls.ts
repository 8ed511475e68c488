/**
 * The gateway's own small object requests, for features that keep state in storage itself (Git
 * LFS: does an object exist, with which size and checksum; locks as small JSON objects). Each
 * request is presigned by the mount's backend through the ordinary seam, so it works on every
 * backend that signs the operation (the S3 family, the embedded store, Azure), and is sent by
 * storage-call.ts: bounded timeout, storage's refusals as HttpErrors, never the URL.
 *
 * Contract:
 * - `head` resolves undefined when the object does not exist, else its size and, when asked for
 *   (`checksum`) and the backend's storage keeps one, the SHA-256 it verified at upload (base64).
 * - `getText` resolves undefined when the object does not exist.
 * - `putText` with `createOnly` signs `If-None-Match: *` and resolves 'exists' when storage
 *   refuses to overwrite (412): the create-only write that makes storage the arbiter of a race.
 * - `delete` succeeds whether or not the object existed.
 * Other failures: 502 `storage_error`, 504 `storage_timeout`, 503 when credentials are missing.
 */
import { HttpError } from '../http/errors';
import type { Mount } from './mount';
import { storageCall, withCredentials, type KnownErrors } from './storage-call';
import { ObjectOperations, type PresignInput } from './types';

export interface ObjectCallsOptions {
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  /** Tests inject a failing or slow fetch. */
  readonly fetch?: typeof fetch;
}

export interface StoredObject {
  readonly size: number;
  /** Base64 SHA-256 storage verified and kept; only with `checksum: true` on a backend that keeps one. */
  readonly checksumSha256?: string;
}

export interface ObjectCalls {
  head(key: string, now: Date, options?: { readonly checksum?: boolean }): Promise<StoredObject | undefined>;
  getText(key: string, now: Date): Promise<string | undefined>;
  putText(key: string, text: string, now: Date, options: { readonly contentType: string; readonly createOnly?: boolean }): Promise<'stored' | 'exists'>;
  delete(key: string, now: Date): Promise<void>;
}

/** The lifetime of the URLs the gateway signs for itself: used at once. */
const CALL_URL_SECONDS = 60;
const MISSING: KnownErrors = { 'HTTP 404': [404, 'not_found'], NoSuchKey: [404, 'not_found'], BlobNotFound: [404, 'not_found'] };
const CREATE_ONLY: KnownErrors = { PreconditionFailed: [412, 'exists'], 'HTTP 412': [412, 'exists'], BlobAlreadyExists: [412, 'exists'], ConditionNotMet: [412, 'exists'] };

const isStatus = (err: unknown, status: number): boolean => err instanceof HttpError && err.statusCode === status;

export function objectCalls(mount: Pick<Mount, 'bucket' | 'backend'>, options: ObjectCallsOptions = {}): ObjectCalls {
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function send(what: string, input: Omit<PresignInput, 'bucket' | 'expiresIn'>, known: KnownErrors, body?: string) {
    const signed = await withCredentials(() => mount.backend.presign({ ...input, bucket: mount.bucket, expiresIn: CALL_URL_SECONDS }));
    return storageCall(what, signed.url, { method: signed.method, headers: signed.headers, timeoutMs, ...(body !== undefined && { body }), ...(options.fetch && { fetch: options.fetch }) }, known);
  }

  return {
    async head(key, now, opts = {}) {
      try {
        const { headers } = await send('HeadObject', { operation: ObjectOperations.head, key, now, ...(opts.checksum && { checksumMode: true }) }, MISSING);
        const size = Number(headers.get('content-length'));
        if (!Number.isSafeInteger(size) || size < 0) throw new HttpError(502, 'storage_error', 'storage sent no object size');
        const checksumSha256 = opts.checksum ? (headers.get('x-amz-checksum-sha256') ?? undefined) : undefined;
        return { size, ...(checksumSha256 !== undefined && { checksumSha256 }) };
      } catch (err) {
        if (isStatus(err, 404)) return undefined;
        throw err;
      }
    },
    async getText(key, now) {
      try {
        return (await send('GetObject', { operation: ObjectOperations.get, key, now }, MISSING)).text;
      } catch (err) {
        if (isStatus(err, 404)) return undefined;
        throw err;
      }
    },
    async putText(key, text, now, opts) {
      const input = { operation: ObjectOperations.put, key, now, contentLength: Buffer.byteLength(text), contentType: opts.contentType, ...(opts.createOnly && { createOnly: true }) };
      try {
        await send('PutObject', input, CREATE_ONLY, text);
        return 'stored';
      } catch (err) {
        if (opts.createOnly && isStatus(err, 412)) return 'exists';
        throw err;
      }
    },
    async delete(key, now) {
      await send('DeleteObject', { operation: ObjectOperations.delete, key, now }, MISSING).catch((err: unknown) => {
        if (!isStatus(err, 404)) throw err;
      });
    },
  };
}

/** `fn` over `items`, at most `limit` at a time, results in order; the first failure rejects. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
