/**
 * The object repository: owns dataDir, the per-bucket key indexes and the commit step of
 * atomic writes. Commits and deletes of one key run one at a time (a per-file lock), so the
 * index always ends in the same state as the file system. Create-only commits use link(2),
 * which fails with EEXIST if the name exists, so two concurrent create-only PUTs cannot both
 * win even across processes. At start, leftover temp files are removed and indexes are built
 * from the object trailers.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { S3Error, noSuchKey, preconditionFailed } from './errors';
import { type IndexEntry, KeyIndex } from './keyindex';
import { type ObjectMeta, type OpenObject, bucketsDir, fsyncDir, objectPath, openObjectFile, readMeta, removeQuietly, tmpDir, uploadsDir } from './layout';

/** How a commit may replace what is there. */
export type CommitCondition =
  | { readonly kind: 'always' }
  | { readonly kind: 'absent' } // If-None-Match: *
  | { readonly kind: 'etag'; readonly etag: string }; // If-Match

export class ObjectRepo {
  private readonly indexes = new Map<string, KeyIndex>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly madeDirs = new Set<string>();

  private constructor(
    readonly dataDir: string,
    private readonly logger: Logger,
  ) {}

  static async open(dataDir: string, buckets: readonly string[], logger: Logger): Promise<ObjectRepo> {
    const repo = new ObjectRepo(path.resolve(dataDir), logger);
    await removeQuietly(tmpDir(repo.dataDir)); // leftovers of writes that never committed
    await fsp.mkdir(tmpDir(repo.dataDir), { recursive: true });
    await fsp.mkdir(uploadsDir(repo.dataDir), { recursive: true });
    for (const b of buckets) {
      await fsp.mkdir(path.join(bucketsDir(repo.dataDir), b), { recursive: true });
      repo.indexes.set(b, await repo.buildIndex(b));
    }
    return repo;
  }

  hasBucket(bucket: string): boolean {
    return this.indexes.has(bucket);
  }

  bucketNames(): string[] {
    return [...this.indexes.keys()];
  }

  index(bucket: string): KeyIndex {
    const idx = this.indexes.get(bucket);
    if (!idx) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { extra: { BucketName: bucket } });
    return idx;
  }

  newTempPath(): string {
    return path.join(tmpDir(this.dataDir), randomBytes(16).toString('hex'));
  }

  /** Opens an object for reading; a concurrent overwrite or delete does not disturb the reader. */
  async open(bucket: string, key: string): Promise<OpenObject | null> {
    const o = await openObjectFile(objectPath(this.dataDir, bucket, key));
    // A hash collision is not a practical concern, but a file must never answer for another key.
    if (o && (o.meta.key !== key || o.meta.bucket !== bucket)) {
      await o.fh.close();
      return null;
    }
    return o;
  }

  async stat(bucket: string, key: string): Promise<ObjectMeta | null> {
    const o = await this.open(bucket, key);
    if (!o) return null;
    await o.fh.close();
    return o.meta;
  }

  /** Moves a complete temp file (writer.ts) into place under `cond`; the temp file is consumed. */
  async commit(tmp: string, meta: ObjectMeta, cond: CommitCondition): Promise<void> {
    const file = objectPath(this.dataDir, meta.bucket, meta.key);
    const dir = path.dirname(file);
    try {
      await this.ensureDir(dir);
      await this.withLock(file, async () => {
        if (cond.kind === 'absent') {
          try {
            await fsp.link(tmp, file);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw preconditionFailed('If-None-Match');
            throw err;
          }
        } else {
          if (cond.kind === 'etag') {
            const current = await this.stat(meta.bucket, meta.key);
            if (!current) throw noSuchKey(meta.key);
            if (current.etag !== cond.etag) throw preconditionFailed('If-Match');
          }
          await fsp.rename(tmp, file);
        }
        await fsyncDir(dir);
        this.index(meta.bucket).set(meta.key, { size: meta.size, etag: meta.etag, mtime: meta.mtime });
      });
    } finally {
      await removeQuietly(tmp); // after link(2), or after a failure; a no-op after rename
    }
  }

  /** Removes an object; true if it existed. */
  async delete(bucket: string, key: string): Promise<boolean> {
    const file = objectPath(this.dataDir, bucket, key);
    return this.withLock(file, async () => {
      try {
        await fsp.unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.index(bucket).delete(key);
          return false;
        }
        throw err;
      }
      await fsyncDir(path.dirname(file));
      this.index(bucket).delete(key);
      return true;
    });
  }

  /** Runs fn while no other commit/delete of the same file runs (a promise chain per file). */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = prev.then(() => mine);
    this.locks.set(id, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fsp.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private async buildIndex(bucket: string): Promise<KeyIndex> {
    const found: [string, IndexEntry][] = [];
    const root = path.join(bucketsDir(this.dataDir), bucket);
    const files: string[] = [];
    for (const sub of await fsp.readdir(root)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await fsp.readdir(path.join(root, sub))) files.push(path.join(root, sub, name));
    }
    // Read trailers with bounded parallelism: fast on large buckets without exhausting fds.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const file = files[next++] as string;
        try {
          const fh = await fsp.open(file, 'r');
          try {
            const meta = await readMeta(fh);
            if (meta.bucket === bucket && objectPath(this.dataDir, bucket, meta.key) === file) {
              found.push([meta.key, { size: meta.size, etag: meta.etag, mtime: meta.mtime }]);
            } else {
              this.logger.warn({ file }, 'embedded store: object file does not match its name; ignored');
            }
          } finally {
            await fh.close();
          }
        } catch (err) {
          this.logger.warn({ file, err: (err as Error).message }, 'embedded store: unreadable object file; ignored');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return KeyIndex.from(found);
  }
}
