/**
 * Atomic-write first half: streams a body into a fresh temp file under dataDir (never into
 * memory), counting bytes and hashing as it goes, appends the metadata trailer, fsyncs and
 * closes. Only a complete, verified file is returned; on a short body, a digest mismatch, a
 * client abort or an I/O error the temp file is removed and the error rethrown. The caller then
 * commits it with one rename/link (repo.ts), so readers never see a partial object.
 */
import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { S3Error } from './errors';
import { removeQuietly } from './layout';

export type ChecksumAlgorithm = 'crc32' | 'sha1' | 'sha256';

export interface BodyChecks {
  /** Exact number of bytes the body must have. */
  readonly length: number;
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

/**
 * The request body as chunks, without destroying the request when writing stops early (a full
 * disk, a digest mismatch): a plain `for await` over the stream would destroy the socket, and
 * the client, still sending, would get a reset instead of the S3 error we answer with.
 */
export function requestBody(req: Readable): AsyncIterable<Uint8Array> {
  return req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
}

class Digests {
  private readonly md5 = createHash('md5');
  private readonly sha256: Hash | undefined;
  private readonly sha1: Hash | undefined;
  private crc: number | undefined;

  constructor(private readonly checks: BodyChecks) {
    const alg = checks.checksum?.algorithm;
    if (checks.sha256 !== undefined || alg === 'sha256') this.sha256 = createHash('sha256');
    if (alg === 'sha1') this.sha1 = createHash('sha1');
    if (alg === 'crc32') this.crc = 0;
  }

  update(chunk: Uint8Array): void {
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.sha1?.update(chunk);
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
  }

  /** Verifies what the client promised; returns the MD5 (the ETag). */
  finish(): Buffer {
    const md5 = this.md5.digest();
    const sha256 = this.sha256?.digest();
    const { checks } = this;
    if (checks.sha256 !== undefined && sha256?.toString('hex') !== checks.sha256) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    if (checks.contentMd5 !== undefined && md5.toString('base64') !== checks.contentMd5) {
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    if (checks.checksum) {
      const { algorithm, value } = checks.checksum;
      let actual: string;
      if (algorithm === 'crc32') {
        const b = Buffer.alloc(4);
        b.writeUInt32BE((this.crc ?? 0) >>> 0, 0);
        actual = b.toString('base64');
      } else {
        actual = (algorithm === 'sha1' ? this.sha1?.digest() : sha256)?.toString('base64') ?? '';
      }
      if (actual !== value) throw new S3Error('BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    }
    return md5;
  }
}

/**
 * Writes `source` to `file` (created exclusively), then `trailer(md5)`, then fsyncs.
 * Writes are batched to ~1 MiB so a socket's small chunks do not become one syscall each.
 */
export async function writeTemp(
  file: string,
  source: AsyncIterable<Uint8Array>,
  checks: BodyChecks,
  trailer: (body: WrittenBody) => Buffer,
): Promise<WrittenBody> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'wx', 0o600);
    const digests = new Digests(checks);
    let size = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    // One write in flight while the next batch is read and hashed: disk and socket overlap.
    let inflight: Promise<unknown> = Promise.resolve();
    const file_ = fh;
    const flush = async (): Promise<void> => {
      await inflight;
      const w = file_.writev(pending);
      w.catch(() => undefined); // observed at the next await; never an unhandled rejection
      inflight = w;
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > checks.length) throw new S3Error('InvalidRequest', 'The request body is longer than its Content-Length.');
        digests.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= FLUSH_BYTES || pending.length >= 256) await flush();
      }
    } finally {
      await inflight.catch(() => undefined); // never close the file under a running write
    }
    await inflight;
    if (size !== checks.length) {
      throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
    }
    const md5 = digests.finish();
    const written: WrittenBody = { md5, size };
    pending.push(trailer(written));
    await fh.writev(pending);
    await fh.sync();
    const handle = fh;
    fh = undefined;
    await handle.close();
    return written;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await removeQuietly(file);
    throw err;
  }
}
