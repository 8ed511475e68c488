/**
 * Public API of the embedded S3-compatible store: `startEmbeddedStore` opens (or creates) a data
 * directory and serves path-style S3 requests (`http://host:port/<bucket>/<key>`) that carry a
 * valid SigV4 signature for the one configured key pair. It exists so `npm start` works without
 * a real bucket while behaving like S3 where Signpost relies on it (signatures, expiry,
 * conditional create, ranges, listing, atomic writes). One process per dataDir.
 */
import type { Logger } from 'pino';
import pino from 'pino';
import { hashPool } from './hashing';
import { DEFAULT_STORE_LIMITS, type StoreLimits, UploadLimiter } from './limits';
import { ObjectRepo } from './repo';
import { listen } from './server';

export interface EmbeddedStoreOptions {
  dataDir: string; // everything lives under here; created if missing
  host: string; // bind address, e.g. 127.0.0.1
  port: number; // 0 = any free port
  region: string; // e.g. 'us-east-1'; credential scope must match
  credentials: { accessKeyId: string; secretAccessKey: string };
  buckets: readonly string[]; // created at start if missing; other buckets -> 404 NoSuchBucket
  publicUrl?: string; // base URL clients use (default http://host:port)
  now?: () => Date; // clock for expiry checks (tests pass their own)
  logger?: Logger; // pino; never log query strings/signatures
  limits?: Partial<StoreLimits>; // timeouts and the upload bound (limits.ts); defaults suit a real deployment
}

export interface EmbeddedStore {
  readonly url: string;
  /** Stops accepting; in-flight uploads get `graceMs` (default 2 s) to finish, then are cut cleanly. */
  close(graceMs?: number): Promise<void>;
}

/** S3's bucket naming rules; they also guarantee a bucket name is a safe directory name. */
const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function validate(opts: EmbeddedStoreOptions): void {
  if (opts.dataDir === '') throw new Error('embedded store: dataDir is required');
  if (!/^[a-z0-9-]+$/.test(opts.region)) throw new Error(`embedded store: invalid region '${opts.region}'`);
  const { accessKeyId, secretAccessKey } = opts.credentials;
  if (!accessKeyId || accessKeyId.includes('/') || !secretAccessKey) throw new Error('embedded store: credentials need a non-empty access key id (no "/") and secret');
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`embedded store: invalid port ${opts.port}`);
  for (const [name, value] of Object.entries(opts.limits ?? {})) {
    if (!(Number.isFinite(value) && value > 0)) throw new Error(`embedded store: limits.${name} must be a positive number`);
  }
  for (const b of opts.buckets) if (!BUCKET_NAME.test(b)) throw new Error(`embedded store: invalid bucket name '${b}'`);
}

export async function startEmbeddedStore(opts: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  validate(opts);
  const logger: Logger = opts.logger ?? pino({ enabled: false });
  const limits: StoreLimits = { ...DEFAULT_STORE_LIMITS, ...opts.limits };
  const repo = await ObjectRepo.open(opts.dataDir, opts.buckets, logger);
  const ctx = {
    repo,
    logger,
    started: new Date(),
    auth: { region: opts.region, credentials: { ...opts.credentials }, now: opts.now ?? ((): Date => new Date()) },
    limits,
    uploads: new UploadLimiter(limits, logger),
  };
  const listening = await listen(ctx, opts.host, opts.port);
  hashPool.acquire(); // large bodies are hashed off the event loop; released on close
  // A wildcard bind address is not a destination; default the URL to loopback then.
  const dest = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host;
  const host = dest.includes(':') ? `[${dest}]` : dest;
  const url = (opts.publicUrl ?? `http://${host}:${listening.port}`).replace(/\/+$/, '');
  logger.info({ url, dataDir: repo.dataDir, buckets: opts.buckets }, 'embedded S3 store listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    close: (graceMs?: number) => (closing ??= listening.close(graceMs).finally(() => hashPool.release())),
  };
}
