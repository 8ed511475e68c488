/**
 * On-disk layout. Keys are never used as paths: an object lives at
 *   <dataDir>/buckets/<bucket>/<2 hex>/<sha256(bucket \0 key)>
 * so no key (`..`, `/`, 1024 bytes, any unicode) can name a file outside dataDir or hit a
 * file-name limit. Each file is the body followed by a trailer holding the metadata (real key,
 * size, type, ETag, mtime, stored headers), so one rename commits body and metadata together and
 * a byte range is a plain file offset:
 *   [body][metadata JSON][u32 BE JSON length][8-byte magic]
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface ObjectMeta {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Unquoted: MD5 hex, or `<hex>-<parts>` for multipart objects. */
  readonly etag: string;
  /** Epoch ms of the commit (whole seconds, as HTTP dates carry no more). */
  readonly mtime: number;
  readonly contentType: string;
  /** Headers S3 stores and returns: content-disposition, cache-control, x-amz-meta-*, ... */
  readonly headers: Readonly<Record<string, string>>;
  /** The x-amz-checksum-* the upload carried (verified against the body), returned on GET/HEAD with checksum mode. */
  readonly checksum?: { readonly algorithm: 'crc32' | 'sha1' | 'sha256'; readonly value: string };
}

const MAGIC = Buffer.from('SPOBJv1\n', 'latin1');
const TAIL = 4 + MAGIC.length;
const MAX_META_BYTES = 64 * 1024;

export function bucketsDir(dataDir: string): string {
  return path.join(dataDir, 'buckets');
}
export function tmpDir(dataDir: string): string {
  return path.join(dataDir, 'tmp');
}
export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

/** The file name of (bucket, key); the bucket name is one of the configured, validated names. */
export function objectPath(dataDir: string, bucket: string, key: string): string {
  const h = createHash('sha256').update(bucket).update('\0').update(key, 'utf8').digest('hex');
  return path.join(dataDir, 'buckets', bucket, h.slice(0, 2), h);
}

export function encodeTrailer(meta: ObjectMeta): Buffer {
  const json = Buffer.from(
    JSON.stringify({ v: 1, b: meta.bucket, k: meta.key, s: meta.size, e: meta.etag, m: meta.mtime, t: meta.contentType, h: meta.headers, ...(meta.checksum && { c: [meta.checksum.algorithm, meta.checksum.value] }) }),
    'utf8',
  );
  const tail = Buffer.alloc(TAIL);
  tail.writeUInt32BE(json.length, 0);
  MAGIC.copy(tail, 4);
  return Buffer.concat([json, tail]);
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** A stored checksum: written by objects files since checksums are kept; absent in older ones. */
function isChecksum(v: unknown): v is ['crc32' | 'sha1' | 'sha256', string] {
  return Array.isArray(v) && v.length === 2 && ['crc32', 'sha1', 'sha256'].includes(v[0] as string) && typeof v[1] === 'string';
}

/** Reads and validates the trailer; throws if the file is not a complete object file. */
export async function readMeta(fh: FileHandle): Promise<ObjectMeta> {
  const { size: fileSize } = await fh.stat();
  if (fileSize < TAIL) throw new Error('object file too short');
  const tail = Buffer.alloc(TAIL);
  await fh.read(tail, 0, TAIL, fileSize - TAIL);
  if (!tail.subarray(4).equals(MAGIC)) throw new Error('object file has no trailer');
  const jsonLen = tail.readUInt32BE(0);
  if (jsonLen > MAX_META_BYTES || jsonLen + TAIL > fileSize) throw new Error('object trailer length is invalid');
  const json = Buffer.alloc(jsonLen);
  await fh.read(json, 0, jsonLen, fileSize - TAIL - jsonLen);
  const m = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  const bodySize = fileSize - TAIL - jsonLen;
  if (
    m.v !== 1 ||
    typeof m.b !== 'string' ||
    typeof m.k !== 'string' ||
    m.s !== bodySize ||
    typeof m.e !== 'string' ||
    typeof m.m !== 'number' ||
    typeof m.t !== 'string' ||
    !isStringRecord(m.h) ||
    (m.c !== undefined && !isChecksum(m.c))
  ) {
    throw new Error('object trailer is invalid');
  }
  const checksum = m.c === undefined ? undefined : { algorithm: m.c[0], value: m.c[1] };
  return { bucket: m.b, key: m.k, size: bodySize, etag: m.e, mtime: m.m, contentType: m.t, headers: m.h, ...(checksum && { checksum }) };
}

export interface OpenObject {
  /** Open for reading: the caller owns it and must close it. A later overwrite does not affect it. */
  readonly fh: FileHandle;
  readonly meta: ObjectMeta;
}

/** Opens an object file; null when it does not exist. */
export async function openObjectFile(file: string): Promise<OpenObject | null> {
  let fh: FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return { fh, meta: await readMeta(fh) };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Flushes a directory entry change (rename, link, unlink) to disk; best effort where unsupported. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms/filesystems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await fh?.close();
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await fsp.rm(file, { force: true, recursive: true }).catch(() => undefined);
}
