/**
 * Multipart upload state on disk, under <dataDir>/uploads/<uploadId>/:
 *   upload.json          bucket, key, content type and headers given at creation
 *   part-00001 ...       each part is a complete object file (body + trailer), committed by rename
 * Upload ids are random hex and validated before any path is built, so an id cannot name a
 * file outside its folder. Completion streams the parts into one temp file and commits it with
 * the same atomic rename as a PUT, then removes the upload folder. Operations on one upload
 * (part commit, complete, abort) run under a per-upload lock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { S3Error } from './errors';
import { type ObjectMeta, readMeta, removeQuietly, uploadsDir } from './layout';
import type { ObjectRepo } from './repo';

export interface UploadInfo {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly initiated: number;
}

export interface PartInfo {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly mtime: number;
  readonly file: string;
}

const ID = /^[0-9a-f]{32}$/;

export function noSuchUpload(id: string): S3Error {
  return new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', {
    extra: { UploadId: id },
  });
}

export class Uploads {
  constructor(private readonly repo: ObjectRepo) {}

  private dir(id: string): string {
    if (!ID.test(id)) throw noSuchUpload(id);
    return path.join(uploadsDir(this.repo.dataDir), id);
  }

  partFile(id: string, partNumber: number): string {
    return path.join(this.dir(id), `part-${String(partNumber).padStart(5, '0')}`);
  }

  lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.repo.withLock(`upload:${id}`, fn);
  }

  async create(info: Omit<UploadInfo, 'id' | 'initiated'>): Promise<UploadInfo> {
    const upload: UploadInfo = { ...info, id: randomBytes(16).toString('hex'), initiated: Date.now() };
    const dir = this.dir(upload.id);
    await fsp.mkdir(dir, { recursive: true });
    const tmp = this.repo.newTempPath();
    await fsp.writeFile(tmp, JSON.stringify(upload), { mode: 0o600 });
    await fsp.rename(tmp, path.join(dir, 'upload.json'));
    return upload;
  }

  /** The upload, checked against the bucket and key of the request that names it. */
  async get(id: string, bucket: string, key: string): Promise<UploadInfo> {
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.dir(id), 'upload.json'), 'utf8');
    } catch {
      throw noSuchUpload(id);
    }
    const u = JSON.parse(text) as UploadInfo;
    if (u.bucket !== bucket || u.key !== key || u.id !== id) throw noSuchUpload(id);
    return u;
  }

  /** Moves a finished part (writer.ts temp file) into the upload; a re-sent part replaces the old. */
  async commitPart(id: string, partNumber: number, tmp: string): Promise<void> {
    try {
      await this.lock(id, async () => {
        try {
          await fsp.rename(tmp, this.partFile(id, partNumber));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchUpload(id); // aborted meanwhile
          throw err;
        }
      });
    } finally {
      await removeQuietly(tmp);
    }
  }

  async parts(id: string): Promise<PartInfo[]> {
    const dir = this.dir(id);
    const parts: PartInfo[] = [];
    for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
      const m = /^part-(\d{5})$/.exec(name);
      if (!m) continue;
      const file = path.join(dir, name);
      const fh = await fsp.open(file, 'r').catch(() => undefined);
      if (!fh) continue; // removed by a concurrent abort
      try {
        const meta = await readMeta(fh);
        parts.push({ partNumber: Number(m[1]), size: meta.size, etag: meta.etag, mtime: meta.mtime, file });
      } finally {
        await fh.close();
      }
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async list(bucket: string): Promise<UploadInfo[]> {
    const out: UploadInfo[] = [];
    for (const id of await fsp.readdir(uploadsDir(this.repo.dataDir))) {
      if (!ID.test(id)) continue;
      const text = await fsp.readFile(path.join(this.dir(id), 'upload.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const u = JSON.parse(text) as UploadInfo;
      if (u.bucket === bucket) out.push(u);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated));
  }

  async abort(id: string, bucket: string, key: string): Promise<void> {
    await this.lock(id, async () => {
      await this.get(id, bucket, key);
      await removeQuietly(this.dir(id));
    });
  }

  remove(id: string): Promise<void> {
    return removeQuietly(this.dir(id));
  }
}

/** S3's multipart ETag: MD5 of the concatenated binary part MD5s, then `-<count>`. */
export function multipartEtag(parts: readonly PartInfo[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(Buffer.from(p.etag, 'hex'));
  return `${h.digest('hex')}-${parts.length}`;
}

/** The bodies of the parts, in order, as one stream of chunks (each part file is read up to its trailer). */
export async function* concatParts(parts: readonly PartInfo[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    if (p.size === 0) continue;
    const fh = await fsp.open(p.file, 'r');
    const meta: ObjectMeta = await readMeta(fh).catch(async (err: unknown) => {
      await fh.close();
      throw err;
    });
    if (meta.size !== p.size || meta.etag !== p.etag) {
      await fh.close();
      throw new S3Error('InvalidPart', 'A part changed while the upload was being completed.');
    }
    yield* fh.createReadStream({ start: 0, end: p.size - 1, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
  }
}
