/**
 * The client matrix (README "Clients"): each real client (curl, wget, python requests and
 * urllib, HTTPie, Node fetch, Chromium) does PUT, GET, HEAD and DELETE of 0 B, 1 KB and 30 MB
 * under a unicode key against the real server (gateway + embedded store on free loopback ports,
 * default configuration unless a test says otherwise). Every upload is checked independently
 * (sha256 of what storage returns), every download against the source's sha256, every HEAD's
 * Content-Length, and every DELETE by a 404 afterwards. Where a client cannot do something
 * itself, its test runs the documented recipe instead, and says so.
 *
 * Two gateways per matrix: the default one (a PUT body sent without Expect is streamed to
 * storage) and one with `bodyUploads: redirect`, which answers every PUT with a 307 as a Lambda
 * behind a front door does; each client's PUT is run against both.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uriEncodeKey } from '../../src/signing/uri-encode';
import { startGateway, type TestGateway } from '../support/gateway';
import { rawRequest } from '../support/raw-http';
import { sha256 } from '../support/sha256';

export const SIZES = [
  ['0 B', 0],
  ['1 KB', 1000],
  ['30 MB', 30_000_000],
] as const;

/** Which gateway: the default (`bodyUploads: stream`) or one that answers every PUT with a 307 (`bodyUploads: redirect`, as on Lambda). */
export type Via = 'stream' | 'redirect';

export interface Source {
  readonly path: string;
  readonly sha256: string;
}

export interface Matrix {
  readonly gw: TestGateway;
  /** The gateway with `bodyUploads: redirect` (its own embedded store). */
  readonly redirectGw: TestGateway;
  readonly dir: string;
  /** The source file of each size. */
  source(size: number): Source;
  /** A unicode key for this client and size: `matrix/<client>/ünï/日本語 ✓ <size>.bin`. */
  key(client: string, size: number): string;
  /** The gateway URL of a key (percent-encoded, as clients are given it). */
  url(key: string, via?: Via): string;
  /** A fresh output path in the temp dir. */
  out(name: string): string;
  /** sha256 of what storage holds under `key` (read by this process, not by the client), or null when it is absent. */
  stored(key: string, via?: Via): Promise<string | null>;
  stop(): Promise<void>;
}


export async function startMatrix(env: Record<string, string> = {}): Promise<Matrix> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-clients-'));
  const sources = new Map<number, Source>();
  for (const [, size] of SIZES) {
    const body = randomBytes(size);
    const path = join(dir, `source-${size}.bin`);
    writeFileSync(path, body);
    sources.set(size, { path, sha256: sha256(body) });
  }
  const [gw, redirectGw] = await Promise.all([startGateway({ env }), startGateway({ env: { ...env, SIGNPOST_BODY_UPLOADS: 'redirect' } })]);
  const base = (via: Via): string => (via === 'stream' ? gw : redirectGw).url;
  let outputs = 0;
  return {
    gw,
    redirectGw,
    dir,
    source: (size) => sources.get(size)!,
    key: (client, size) => `matrix/${client}/ünï/日本語 ✓ ${size}.bin`,
    url: (key, via = 'stream') => `${base(via)}/files/${uriEncodeKey(key)}`,
    out: (name) => join(dir, `out-${outputs++}-${name}`),
    async stored(key, via = 'stream') {
      const first = await rawRequest(base(via), 'GET', `/files/${uriEncodeKey(key)}`);
      if (first.status !== 307) throw new Error(`GET ${key}: expected a 307, got ${first.status}`);
      const res = await fetch(first.headers.location!);
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Error(`GET ${key} from storage: ${res.status}`);
      return sha256(Buffer.from(await res.arrayBuffer()));
    },
    async stop() {
      await Promise.all([gw.stop(), redirectGw.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client binary (never through a shell); fails the test with its output when it exits non-zero, unless `allowFailure`. */
export function run(cmd: string, args: readonly string[], options: { allowFailure?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, ...options.env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (code !== 0 && !options.allowFailure) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stderr}\n${stdout}`.slice(0, 4000)));
      resolve({ code, stdout, stderr });
    });
  });
}

/** The Content-Length of the last response in a dump of response headers (several responses when redirects were followed). */
export function lastContentLength(headers: string): number | undefined {
  const all = [...headers.matchAll(/^\s*content-length:\s*(\d+)\s*$/gim)];
  const last = all.at(-1)?.[1];
  return last === undefined ? undefined : Number(last);
}
