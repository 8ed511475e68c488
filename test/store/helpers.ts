/**
 * Test harness for the embedded store: a store on port 0 in a fresh temp dir, the reference
 * presigner (getSignedUrl with the gateway's exact S3Client settings), an SDK client for header
 * auth, and a raw node:http client so tests control every header and byte on the wire.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { S3Client, type ServiceInputTypes } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedStore, type EmbeddedStoreOptions, startEmbeddedStore } from '../../src/store';

export const REGION = 'us-east-1';
export const BUCKET = 'test-bucket';
export const CREDENTIALS = { accessKeyId: 'AKIDSIGNPOSTTEST', secretAccessKey: 'sEcReT/with+chars=0123456789abcdefghij' };

/** Any S3 command, as getSignedUrl accepts it for an S3Client. */
export type PresignableCommand<I extends ServiceInputTypes> = Parameters<typeof getSignedUrl<ServiceInputTypes, I>>[1];

export interface Harness {
  store: EmbeddedStore;
  dir: string;
  client: S3Client;
  clock: { offsetMs: number };
  /** Presign with the reference presigner. */
  sign<I extends ServiceInputTypes>(command: PresignableCommand<I>, opts?: { expiresIn?: number; signableHeaders?: Set<string>; signingDate?: Date }): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function makeClient(endpoint: string, credentials = CREDENTIALS, region = REGION): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function startHarness(extra: Partial<EmbeddedStoreOptions> = {}, dir?: string): Promise<Harness> {
  const dataDir = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'signpost-store-')));
  const clock = { offsetMs: 0 };
  const options: EmbeddedStoreOptions = {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    region: REGION,
    credentials: CREDENTIALS,
    buckets: [BUCKET, 'other-bucket'],
    now: () => new Date(Date.now() + clock.offsetMs),
    ...extra,
  };
  let store = await startEmbeddedStore(options);
  let client = makeClient(store.url);
  const h: Harness = {
    store,
    dir: dataDir,
    client,
    clock,
    sign: (command, opts = {}) => getSignedUrl(client, command, { expiresIn: 300, ...opts }),
    async restart() {
      await store.close();
      client.destroy();
      store = await startEmbeddedStore(options);
      client = makeClient(store.url);
      h.store = store;
      h.client = client;
    },
    async stop() {
      await store.close();
      client.destroy();
      if (!dir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  method: string;
  url: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
}

/** One request on a fresh connection, bytes exactly as given (no automatic headers but Host). */
export function send(req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url);
    // Not u.pathname: URL normalizes '.' and '..' segments, and the store must see them as sent.
    const rawPath = req.url.replace(/^https?:\/\/[^/]+/, '');
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['Content-Length'] = body.length;
    const r = http.request(
      { method: req.method, host: u.hostname, port: u.port, path: rawPath, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

export function errorCode(res: RawResponse): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(res.body.toString('utf8'))?.[1];
}

export function randomBody(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The hash constructor @smithy/signature-v4 wants, on node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
export class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}
