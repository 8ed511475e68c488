// Test harness for a real S3 implementation: a throwaway Ceph RADOS Gateway (radosgw 16.2)
// on loopback, started by scripts/rgw/start.sh and stopped by scripts/rgw/stop.sh.
//
//   const rgw = await startRgw();          // null (and a loud SKIPPED message) if not installed
//   if (!rgw) return;                      // ... outside CI; in CI (CI=true) it throws instead
//   const bucket = await createBucket(rgw);
//   ...
//   await rgw.stop();
//
// Each call starts its own cluster (about 4-9 s) in its own temp dir on free ports, so test
// files can run in parallel. Start one per test file (beforeAll), not one per test.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

export const RGW_SCRIPTS_DIR = resolve(__dirname, '../../scripts/rgw');

/** Binaries start.sh needs (packages ceph-mon, ceph-osd, radosgw, ceph-common). */
const REQUIRED_BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'ceph-authtool', 'monmaptool'];

export const RGW_SKIP_MESSAGE = 'RGW tests SKIPPED: radosgw not installed (run scripts/rgw/install.sh)';

export interface RgwConnection {
  /** e.g. http://127.0.0.1:24817 (path-style addressing; `rgw dns name = localhost`). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Region for SigV4 scopes and the SDK client ('us-east-1'; RGW does not check it). */
  region: string;
}

export interface RgwInstance extends RgwConnection {
  /** State dir of this cluster (config, logs in log/, PID files in run/). Deleted by stop(). */
  dir: string;
  /** PIDs of ceph-mon, ceph-osd and radosgw as started. */
  pids: number[];
  /** Stops the daemons and deletes `dir`. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartRgwOptions {
  /** Seconds start.sh may take before it gives up (RGW_START_TIMEOUT, default 120). */
  timeoutSeconds?: number;
  /** Fixed HTTP port instead of a free one. */
  port?: number;
  /** Forward start.sh's progress lines to this process's stderr. Default: env RGW_VERBOSE=1. */
  verbose?: boolean;
}

/** Missing binaries among the ones start.sh needs ([] when RGW can run here). */
export function missingRgwBinaries(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return REQUIRED_BINARIES.filter(
    (bin) =>
      !dirs.some((dir) => {
        try {
          accessSync(join(dir, bin), fsConstants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

export function rgwInstalled(): boolean {
  return missingRgwBinaries().length === 0;
}

function isCi(): boolean {
  return process.env.CI === 'true';
}

let warnedSkip = false;
function warnSkipped(): void {
  if (warnedSkip) return;
  warnedSkip = true;
  const line = '!'.repeat(RGW_SKIP_MESSAGE.length + 8);
  console.warn(`\n${line}\n!!! ${RGW_SKIP_MESSAGE} !!!\n${line}\n`);
}

/**
 * `describe` for suites that need RGW: when radosgw is not installed, the suite is reported
 * as skipped (with a loud message), except in CI (CI=true), where it runs and fails.
 */
export function describeRgw(name: string, fn: () => void): void {
  if (rgwInstalled() || isCi()) {
    describe(name, fn);
  } else {
    warnSkipped();
    describe.skip(name, fn);
  }
}

// Clusters this process started and has not stopped: stopped on exit as a last resort, so a
// test file that forgets stop() (or throws before it) does not leave daemons behind. The
// listener is removed again when the last cluster is stopped.
const running = new Map<string, () => void>();
function stopAllSync(): void {
  for (const stopSync of running.values()) stopSync();
}
function track(dir: string, stopSync: () => void): void {
  if (running.size === 0) process.once('exit', stopAllSync);
  running.set(dir, stopSync);
}
function untrack(dir: string): void {
  if (running.delete(dir) && running.size === 0) process.removeListener('exit', stopAllSync);
}

function parseEnvBlock(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(RGW_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
  }
  return env;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  echoStderr: boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (echoStderr) process.stderr.write(d);
    });
    // start.sh has its own deadline; this only guards against it hanging outright.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts a fresh single-node Ceph cluster with RGW. Resolves to null (after printing a loud
 * SKIPPED message) when the ceph binaries are missing, unless CI=true: then it throws.
 */
export async function startRgw(options: StartRgwOptions = {}): Promise<RgwInstance | null> {
  const missing = missingRgwBinaries();
  if (missing.length > 0) {
    if (isCi()) {
      throw new Error(
        `RGW is required in CI but not installed (missing: ${missing.join(', ')}). ` +
          'Run scripts/rgw/install.sh before the tests.',
      );
    }
    warnSkipped();
    return null;
  }

  const timeoutSeconds = options.timeoutSeconds ?? 120;
  const env: NodeJS.ProcessEnv = { ...process.env, RGW_START_TIMEOUT: String(timeoutSeconds) };
  delete env.RGW_DIR; // always a fresh temp dir
  if (options.port !== undefined) env.RGW_PORT = String(options.port);
  const verbose = options.verbose ?? process.env.RGW_VERBOSE === '1';

  const started = Date.now();
  const result = await run('bash', [join(RGW_SCRIPTS_DIR, 'start.sh')], env, (timeoutSeconds + 30) * 1000, verbose);
  const vars = parseEnvBlock(result.stdout);
  const { RGW_ENDPOINT, RGW_ACCESS_KEY, RGW_SECRET_KEY, RGW_REGION, RGW_DIR } = vars;
  if (result.code !== 0 || !RGW_ENDPOINT || !RGW_ACCESS_KEY || !RGW_SECRET_KEY || !RGW_REGION || !RGW_DIR) {
    if (RGW_DIR) spawnSync('bash', [join(RGW_SCRIPTS_DIR, 'stop.sh'), RGW_DIR], { stdio: 'ignore' });
    const how = result.signal ? `signal ${result.signal}` : `exit ${result.code}`;
    throw new Error(`scripts/rgw/start.sh failed (${how}) after ${Date.now() - started} ms:\n${result.stderr}`);
  }

  const dir = RGW_DIR;
  const pids = readPids(dir);
  const stopScript = join(RGW_SCRIPTS_DIR, 'stop.sh');
  let stopping: Promise<void> | undefined;
  track(dir, () => {
    spawnSync('bash', [stopScript, dir], { stdio: 'ignore', timeout: 60_000 });
  });

  return {
    endpoint: RGW_ENDPOINT,
    accessKeyId: RGW_ACCESS_KEY,
    secretAccessKey: RGW_SECRET_KEY,
    region: RGW_REGION,
    dir,
    pids,
    stop(): Promise<void> {
      stopping ??= (async () => {
        const r = await run('bash', [stopScript, dir], process.env, 90_000, verbose);
        untrack(dir);
        if (r.code !== 0) throw new Error(`scripts/rgw/stop.sh ${dir} failed (exit ${r.code}):\n${r.stderr}`);
      })();
      return stopping;
    },
  };
}

function readPids(dir: string): number[] {
  const r = spawnSync('sh', ['-c', 'cat "$1"/run/*.pid 2>/dev/null', 'sh', dir], { encoding: 'utf8' });
  return r.stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** An S3 client for the gateway, with the settings Signpost needs for presigned URLs. */
export function rgwS3Client(rgw: RgwConnection): S3Client {
  return new S3Client({
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    // Without these, presigned PUT URLs carry a CRC32 of an empty body (see field notes).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A valid, unique bucket name (3-63 chars, lowercase; RGW rejects '_' and upper case). */
export function uniqueBucketName(prefix = 'signpost-test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`.slice(0, 63);
}

/** Creates a bucket (a unique name unless one is given) and returns its name. */
export async function createBucket(rgw: RgwConnection, name: string = uniqueBucketName(), client?: S3Client): Promise<string> {
  const s3 = client ?? rgwS3Client(rgw);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    if (!client) s3.destroy();
  }
  return name;
}
