/**
 * Starts the real server (gateway + its storage) on free loopback ports for end-to-end tests,
 * and counts the bytes its sockets receive, so tests can prove PUT bodies never reach it.
 * `store: 'embedded'` uses the embedded store in a temp dir; an `s3` target points the
 * gateway at any S3-compatible endpoint (Ceph RGW in the conformance suite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import type { Decide } from '../../src/policy/types';
import { startServer, type RunningServer } from '../../src/server';
import { memoryLogger } from './memory-log';

export interface S3Target {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface TestGateway {
  readonly url: string;
  readonly running: RunningServer;
  readonly logLines: string[];
  /** The data directory (the embedded store's objects and temp files). */
  readonly dataDir: string;
  /** Bytes read from all client sockets since start (or the last reset). */
  bytesReceived(): number;
  resetBytes(): void;
  stop(): Promise<void>;
}

export async function startGateway(options: { s3?: S3Target; env?: Record<string, string>; decide?: Decide; logLevel?: string; webDir?: string } = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signpost-e2e-'));
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', SIGNPOST_DATA_DIR: dataDir, SIGNPOST_SHUTDOWN_GRACE: '2', ...options.env };
  if (options.s3) {
    Object.assign(env, { SIGNPOST_BUCKET: options.s3.bucket, AWS_REGION: options.s3.region, SIGNPOST_S3_ENDPOINT: options.s3.endpoint, SIGNPOST_FORCE_PATH_STYLE: 'true' });
  }
  const config = loadConfig(env);
  const { logger, lines } = memoryLogger(options.logLevel ?? 'info');
  const s3 = options.s3;
  const running = await startServer(config, {
    logger,
    ...(s3 && { credentialProvider: () => Promise.resolve({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }) }),
    ...(options.decide && { decide: options.decide }),
    ...(options.webDir !== undefined && { webDir: options.webDir }),
  });

  let closedBytes = 0;
  let base = 0;
  const open = new Set<Socket>();
  running.server.on('connection', (socket) => {
    open.add(socket);
    socket.once('close', () => {
      closedBytes += socket.bytesRead;
      open.delete(socket);
    });
  });
  const total = () => closedBytes + [...open].reduce((n, s) => n + s.bytesRead, 0);

  return {
    url: running.url,
    running,
    logLines: lines,
    dataDir,
    bytesReceived: () => total() - base,
    resetBytes: () => {
      base = total();
    },
    stop: async () => {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
