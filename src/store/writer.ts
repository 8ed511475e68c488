/**
 * Atomic-write first half: streams a body into a fresh temp file under dataDir (never into
 * memory), counting bytes and hashing as it goes, appends the metadata trailer, fsyncs and
 * closes. Only a complete, verified file is returned; on a short body, a digest mismatch, a
 * client abort or an I/O error the temp file is removed and the error rethrown. The caller then
 * commits it with one rename/link (repo.ts), so readers never see a partial object.
 *
 * The pipeline per ~1 MiB batch: socket -> batch -> writev (libuv thread) -> hasher (a worker
 * thread for large bodies, hashing.ts), with one write in flight while the next batch arrives.
 * Bytes are hashed after they are written, so the worker may take the buffers instead of copying
 * them. Every SYNC_BYTES written, a datasync starts in the background: the disk writes the body
 * while the rest arrives, and the one fsync that must follow the trailer (durability before the
 * 200) no longer has the whole body left to flush.
 */
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { S3Error } from './errors';
import { type BodyHasher, type DigestAlgorithm, type DigestValues, WORKER_MIN_BYTES, hashPool, inlineHasher } from './hashing';
import { removeQuietly } from './layout';

export type ChecksumAlgorithm = 'crc32' | 'sha1' | 'sha256';

export interface BodyChecks {
  /** Exact number of bytes the body must have; with `minLength`, the most it may have. */
  readonly length: number;
  /** A body of any size from this to `length` (a POST policy's content-length-range), not one exact size. */
  readonly minLength?: number;
  /** Hex SHA-256 from a signed x-amz-content-sha256. */
  readonly sha256?: string;
  /** Base64 MD5 from Content-MD5. */
  readonly contentMd5?: string;
  /** Base64 value of an x-amz-checksum-* header/parameter. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
}

export interface WrittenBody {
  readonly md5: Buffer;
  readonly size: number;
}

const FLUSH_BYTES = 1024 * 1024;
const SYNC_BYTES = 64 * 1024 * 1024;

/**
 * The request body as chunks, without destroying the request when writing stops early (a full
 * disk, a digest mismatch): a plain `for await` over the stream would destroy the socket, and
 * the client, still sending, would get a reset instead of the S3 error we answer with.
 */
export function requestBody(req: Readable): AsyncIterable<Uint8Array> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
}

export interface WriteOptions {
  /** Compute the body's MD5 (the ETag). False when the ETag comes from elsewhere (multipart completion). */
  readonly md5?: boolean;
  /** The source's chunks are not referenced elsewhere (request bodies): their memory may be moved to the hash worker. */
  readonly ownedChunks?: boolean;
}

function algorithmsFor(checks: BodyChecks, md5: boolean): DigestAlgorithm[] {
  const algs: DigestAlgorithm[] = md5 ? ['md5'] : [];
  const alg = checks.checksum?.algorithm;
  if (checks.contentMd5 !== undefined && !md5) algs.push('md5');
  if (checks.sha256 !== undefined || alg === 'sha256') algs.push('sha256');
  if (alg === 'sha1') algs.push('sha1');
  if (alg === 'crc32') algs.push('crc32');
  return algs;
}

/** Verifies what the client promised; throws the S3 error a mismatch gets. */
function verify(checks: BodyChecks, d: DigestValues): void {
  if (checks.sha256 !== undefined && d.sha256?.toString('hex') !== checks.sha256) {
    throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  if (checks.contentMd5 !== undefined && d.md5?.toString('base64') !== checks.contentMd5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  if (checks.checksum) {
    const { algorithm, value } = checks.checksum;
    if (d[algorithm]?.toString('base64') !== value) {
      throw new S3Error('BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    }
  }
}

function tooLong(checks: BodyChecks): S3Error {
  if (checks.minLength === undefined) return new S3Error('InvalidRequest', 'The request body is longer than its Content-Length.');
  return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { extra: { MaxSizeAllowed: String(checks.length) } });
}

function hasherFor(checks: BodyChecks, opts: WriteOptions): BodyHasher | undefined {
  const algs = algorithmsFor(checks, opts.md5 ?? true);
  if (algs.length === 0) return undefined;
  return checks.length >= WORKER_MIN_BYTES ? hashPool.hasher(algs, opts.ownedChunks ?? false) : inlineHasher(algs);
}

/**
 * Writes `source` to `file` (created exclusively), then `trailer(body)`, then fsyncs.
 * Writes are batched to ~1 MiB so a socket's small chunks do not become one syscall each.
 * `md5` in the result is empty when `opts.md5` is false.
 */
export async function writeTemp(
  file: string,
  source: AsyncIterable<Uint8Array>,
  checks: BodyChecks,
  trailer: (body: WrittenBody) => Buffer,
  opts: WriteOptions = {},
): Promise<WrittenBody> {
  let fh: FileHandle | undefined;
  const hasher = hasherFor(checks, opts);
  // Everything started in the background; all of it settles before the file is closed.
  let inflight: Promise<unknown> = Promise.resolve();
  let syncing: Promise<void> = Promise.resolve();
  try {
    fh = await fsp.open(file, 'wx', 0o600);
    const file_ = fh;
    let size = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let written = 0;
    let syncedAt = 0;
    let syncBusy = false;
    const writeAndHash = async (batch: Uint8Array[], bytes: number): Promise<void> => {
      const { bytesWritten } = await file_.writev(batch);
      // writev(2) may stop short (a disk filling up); the trailer would then describe bytes that are not there.
      if (bytesWritten !== bytes) throw new Error(`short write: ${bytesWritten} of ${bytes} bytes`);
      written += bytes;
      if (!syncBusy && written - syncedAt >= SYNC_BYTES) {
        syncBusy = true;
        syncedAt = written;
        const s = file_.datasync().finally(() => (syncBusy = false));
        s.catch(() => undefined); // observed below, before the trailer; never an unhandled rejection
        syncing = Promise.all([syncing, s]).then(() => undefined);
      }
      await hasher?.update(batch); // after the write: the hasher may take the buffers
    };
    // One write in flight while the next batch is read: disk and socket overlap.
    const flush = async (): Promise<void> => {
      await inflight;
      const w = writeAndHash(pending, pendingBytes);
      w.catch(() => undefined); // observed at the next await; never an unhandled rejection
      inflight = w;
      pending = [];
      pendingBytes = 0;
    };
    for await (const chunk of source) {
      size += chunk.length;
      if (size > checks.length) throw tooLong(checks);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= FLUSH_BYTES || pending.length >= 256) await flush();
    }
    if (checks.minLength !== undefined && size < checks.minLength) {
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { extra: { ProposedSize: String(size), MinSizeAllowed: String(checks.minLength) } });
    }
    if (checks.minLength === undefined && size !== checks.length) {
      throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    }
    if (pendingBytes > 0) await flush();
    await inflight;
    const digests = (await hasher?.digest()) ?? {};
    verify(checks, digests);
    const result: WrittenBody = { md5: digests.md5 ?? Buffer.alloc(0), size };
    const tail = trailer(result);
    if ((await fh.write(tail)).bytesWritten !== tail.length) throw new Error('short write of the trailer');
    await syncing;
    await fh.sync();
    const handle = fh;
    fh = undefined;
    await handle.close();
    return result;
  } catch (err) {
    await inflight.catch(() => undefined); // never close the file under a running write
    await syncing.catch(() => undefined);
    hasher?.dispose();
    await fh?.close().catch(() => undefined);
    await removeQuietly(file);
    throw err;
  }
}
