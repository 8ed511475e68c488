/**
 * Digests of a body being written: always MD5 (the ETag), plus SHA-256, SHA-1 or CRC32 when the
 * request asks the store to verify one. Two interchangeable hashers:
 *   - inline: on the calling thread, for small bodies (a worker round trip would cost more);
 *   - worker: on a worker thread of a small shared pool, so hashing (MD5 runs at ~620 MiB/s on
 *     one core of the bench machine: it was 54 % of the event loop's time during a 1 GiB PUT)
 *     runs beside the event loop that receives the body and writes the file, not in turn with it.
 *     Moving the body buffers here also moves their garbage: node's HTTP parser gives each 64 KiB
 *     chunk a buffer of its own, and freeing them in the process's main heap forced a full
 *     mark-compact every ~100 ms of upload; the worker's heap is a few MB and collects in ms.
 * Both see the chunks in the order given and return the same values. `update` may take the
 * chunks' memory (the worker hasher transfers ArrayBuffers the caller marked as owned): callers
 * pass only bytes they no longer need (writer.ts: after they are written to the file). Its
 * promise is flow control: it resolves once the hasher has room, so a fast client cannot queue
 * unbounded memory in front of a slower hash.
 * The pool is reference-counted by the stores of the process (index.ts acquires on start and
 * releases on close); its threads start on first use, do not keep the process alive, and are
 * stopped when the last store closes. A worker that dies fails the uploads it was hashing
 * (they answer 500 and remove their temp files); the next upload gets a new worker.
 */
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

export type DigestAlgorithm = 'md5' | 'sha256' | 'sha1' | 'crc32';

/** Raw digests; crc32 as 4 bytes, big-endian (how S3's base64 checksum encodes it). */
export type DigestValues = Partial<Record<DigestAlgorithm, Buffer>>;

export interface BodyHasher {
  update(chunks: readonly Uint8Array[]): Promise<void> | void;
  digest(): Promise<DigestValues>;
  /** Forgets the state; harmless after digest() or twice. */
  dispose(): void;
}

/** Bodies at least this long are hashed on a worker. */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;
/** Bytes handed to a worker and not yet hashed, per body, before update() makes the caller wait. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

class InlineHasher implements BodyHasher {
  private readonly hashes: [DigestAlgorithm, Hash][] = [];
  private crc: number | undefined;

  constructor(algorithms: readonly DigestAlgorithm[]) {
    for (const a of algorithms) {
      if (a === 'crc32') this.crc = 0;
      else this.hashes.push([a, createHash(a)]);
    }
  }

  update(chunks: readonly Uint8Array[]): void {
    for (const c of chunks) {
      for (const [, h] of this.hashes) h.update(c);
      if (this.crc !== undefined) this.crc = crc32(c, this.crc);
    }
  }

  digest(): Promise<DigestValues> {
    const out: DigestValues = {};
    for (const [a, h] of this.hashes) out[a] = h.digest();
    if (this.crc !== undefined) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(this.crc >>> 0, 0);
      out.crc32 = b;
    }
    return Promise.resolve(out);
  }

  dispose(): void {}
}

export function inlineHasher(algorithms: readonly DigestAlgorithm[]): BodyHasher {
  return new InlineHasher(algorithms);
}

// The worker's program, plain CommonJS evaluated by the worker itself (eval: true): it runs the
// same way under tsx, jest and a bundled build, where a separate .ts file would not load.
// Messages in: start {id, algs} | update {id, chunks} | end {id} | drop {id}.
// Messages out: ack {id, bytes} after each update | digest {id, values} after end.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'start') {
    const hashes = [];
    let crc;
    for (const a of m.algs) { if (a === 'crc32') crc = 0; else hashes.push([a, createHash(a)]); }
    jobs.set(m.id, { hashes, crc });
  } else if (m.op === 'update') {
    const j = jobs.get(m.id);
    let bytes = 0;
    for (const c of m.chunks) {
      bytes += c.byteLength;
      if (!j) continue;
      for (const [, h] of j.hashes) h.update(c);
      if (j.crc !== undefined) j.crc = crc32(c, j.crc);
    }
    parentPort.postMessage({ op: 'ack', id: m.id, bytes });
  } else if (m.op === 'end') {
    const j = jobs.get(m.id);
    jobs.delete(m.id);
    const values = {};
    if (j) {
      for (const [a, h] of j.hashes) values[a] = h.digest();
      if (j.crc !== undefined) { const b = Buffer.alloc(4); b.writeUInt32BE(j.crc >>> 0, 0); values.crc32 = b; }
    }
    parentPort.postMessage({ op: 'digest', id: m.id, values });
  } else if (m.op === 'drop') {
    jobs.delete(m.id);
  }
});
`;

type WorkerReply = { op: 'ack'; id: number; bytes: number } | { op: 'digest'; id: number; values: Record<string, Uint8Array> };

interface Job {
  queued: number;
  room?: (() => void) | undefined;
  done?: { resolve: (v: DigestValues) => void; reject: (e: Error) => void } | undefined;
  fail(err: Error): void;
}

/** One worker thread and the bodies it is hashing. */
class HashThread {
  readonly jobs = new Map<number, Job>();
  readonly worker: Worker;
  dead = false;

  constructor(onExit: (t: HashThread) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (m: WorkerReply) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      if (m.op === 'ack') {
        job.queued -= m.bytes;
        if (job.queued <= MAX_QUEUED_BYTES / 2 && job.room) {
          const room = job.room;
          job.room = undefined;
          room();
        }
      } else {
        this.jobs.delete(m.id);
        const values: DigestValues = {};
        for (const [a, v] of Object.entries(m.values)) values[a as DigestAlgorithm] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        job.done?.resolve(values);
      }
    });
    const die = (err: Error): void => {
      if (this.dead) return;
      this.dead = true;
      for (const job of this.jobs.values()) job.fail(err);
      this.jobs.clear();
      onExit(this);
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`hash worker exited (${code})`)));
  }
}

let nextId = 1;

class WorkerHasher implements BodyHasher {
  private readonly id = nextId++;
  private readonly job: Job;
  private failed: Error | undefined;
  private disposed = false;

  constructor(
    private readonly thread: HashThread,
    algorithms: readonly DigestAlgorithm[],
    private readonly transfer: boolean,
  ) {
    this.job = {
      queued: 0,
      fail: (err) => {
        this.failed = err;
        const { room, done } = this.job;
        this.job.room = undefined;
        room?.();
        done?.reject(err);
      },
    };
    thread.jobs.set(this.id, this.job);
    thread.worker.postMessage({ op: 'start', id: this.id, algs: algorithms });
  }

  update(chunks: readonly Uint8Array[]): Promise<void> | void {
    if (this.failed) throw this.failed;
    if (this.disposed) return;
    let bytes = 0;
    const moved: ArrayBuffer[] = [];
    for (const c of chunks) {
      bytes += c.byteLength;
      // Only a chunk that owns its whole ArrayBuffer is moved; anything else is copied.
      if (this.transfer && c.buffer instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === c.buffer.byteLength) moved.push(c.buffer);
    }
    this.job.queued += bytes;
    this.thread.worker.postMessage({ op: 'update', id: this.id, chunks }, moved);
    if (this.job.queued <= MAX_QUEUED_BYTES) return;
    return new Promise<void>((resolve) => (this.job.room = resolve)).then(() => {
      if (this.failed) throw this.failed;
    });
  }

  digest(): Promise<DigestValues> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<DigestValues>((resolve, reject) => {
      this.job.done = { resolve, reject };
      this.thread.worker.postMessage({ op: 'end', id: this.id });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.thread.jobs.delete(this.id) && !this.thread.dead) this.thread.worker.postMessage({ op: 'drop', id: this.id });
  }
}

/** The process's hash workers, shared by its stores. */
class HashPool {
  private users = 0;
  private threads: HashThread[] = [];
  private readonly size = Math.max(1, Math.min(4, availableParallelism() - 1));

  acquire(): void {
    this.users++;
  }

  async release(): Promise<void> {
    if (--this.users > 0) return;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  /**
   * A hasher for one body. `owned`: the caller gives up the chunks' ArrayBuffers after update()
   * (they may be moved to the worker instead of copied).
   */
  hasher(algorithms: readonly DigestAlgorithm[], owned: boolean): BodyHasher {
    if (this.users === 0) return new InlineHasher(algorithms); // no store holds the pool (direct use, tests)
    let thread = this.threads.find((t) => t.jobs.size === 0);
    if (!thread && this.threads.length < this.size) {
      thread = new HashThread((t) => (this.threads = this.threads.filter((x) => x !== t)));
      this.threads.push(thread);
    }
    thread ??= this.threads.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
    return new WorkerHasher(thread, algorithms, owned);
  }
}

export const hashPool = new HashPool();
