/**
 * Azurite (Microsoft's Azure Storage emulator, the npm package `azurite`) for tests: a blob
 * service on a free loopback port in a temp dir, telemetry off (it never reaches the network),
 * started per test file and stopped by it. Azurite verifies SAS signatures, permissions and
 * expiry, so tests against it exercise the real signing path. `--skipApiVersionCheck` only
 * because the @azure/storage-blob used to create containers speaks a newer x-ms-version. Uses the emulator's well-known
 * account (public, documented by Microsoft; not a secret).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** The account's blob endpoint, path-style: http://127.0.0.1:PORT/devstoreaccount1 */
  readonly endpoint: string;
  /** Creates a fresh container and returns its name. */
  createContainer(): Promise<string>;
  readonly service: BlobServiceClient;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-azurite-'));
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const args = [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', dir, '--silent', '--disableTelemetry', '--skipApiVersionCheck'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true }));
  let url: string;
  try {
    url = await listeningUrl(child);
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoint = `${url}/${AZURITE_ACCOUNT}`;
  const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  return {
    endpoint,
    service,
    createContainer: async () => {
      const name = `c${randomBytes(6).toString('hex')}`;
      await service.createContainer(name);
      return name;
    },
    stop,
  };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`azurite did not start within 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited (${code}) before listening:\n${out}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
