/**
 * Azurite (Microsoft's Azure Storage emulator, the npm package `azurite`) for tests: a blob
 * service on a free loopback port in a temp dir, telemetry off (it never reaches the network),
 * started per test file and stopped by it. Azurite verifies SAS signatures, permissions and
 * expiry, so tests against it exercise the real signing path. `--skipApiVersionCheck` only
 * because the @azure/storage-blob used to create containers speaks a newer x-ms-version. Uses the emulator's well-known
 * account (public, documented by Microsoft; not a secret).
 *
 * `startAzuriteOAuth()` is the same emulator over HTTPS with `--oauth basic`, for the user
 * delegation (managed identity) path: Azurite only takes a bearer token over HTTPS, and only a
 * bearer token can get a user delegation key. Its certificate is a throwaway self-signed one for
 * 127.0.0.1 made with `openssl` (node:crypto cannot make X.509 certificates), so callers guard
 * with `describeWith('openssl', …)`. `azuriteToken()` mints the tokens it accepts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';

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
  const { url, stop } = await launch(dir, []);
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

/** The identity inside every token `azuriteToken()` mints; Azurite echoes them as SignedOid / SignedTid. */
export const AZURITE_TOKEN_TENANT = '0b2f3c6e-51a7-4d8e-9f10-7a1b2c3d4e5f';
export const AZURITE_TOKEN_OBJECT_ID = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

/**
 * A bearer token for `https://storage.azure.com/.default` that Azurite's `--oauth basic` accepts.
 * Basic mode decodes the JWT without verifying its signature ("Validate signature, skip in basic
 * check", node_modules/azurite/dist/src/blob/authentication/BlobTokenAuthenticator.js), so the
 * signature here is a placeholder, never a key. What it does check: `iat`, `nbf` and `exp`
 * present and now within [nbf, exp]; `iss` starting with an Entra ID issuer (`https://sts.windows.net/`,
 * common/utils/constants.js VALID_ISSUE_PREFIXES); `aud` a storage audience (blob/utils/constants.js
 * VALID_BLOB_AUDIENCES). It does not check the scope (`scp`/`roles`) or any role assignment.
 * Get User Delegation Key then signs `oid` and `tid` into the key. `claims` overrides any of these.
 */
export function azuriteToken(claims: Readonly<Record<string, unknown>> = {}, nowMs = Date.now()): { token: string; expiresOnTimestamp: number } {
  const now = Math.floor(nowMs / 1000);
  const payload = {
    aud: 'https://storage.azure.com',
    iss: `https://sts.windows.net/${AZURITE_TOKEN_TENANT}/`,
    iat: now,
    nbf: now - 60,
    exp: now + 3600,
    oid: AZURITE_TOKEN_OBJECT_ID,
    tid: AZURITE_TOKEN_TENANT,
    ...claims,
  };
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.${Buffer.from('unsigned: Azurite basic mode does not verify').toString('base64url')}`;
  return { token, expiresOnTimestamp: Number(payload.exp) * 1000 };
}

export interface AzuriteOAuth {
  /** The account's blob endpoint over HTTPS: https://127.0.0.1:PORT/devstoreaccount1 */
  readonly endpoint: string;
  /** The self-signed certificate Azurite serves (PEM), and its file (for `curl --cacert`). */
  readonly ca: string;
  readonly caFile: string;
  /** Creates a fresh container (Create Container with a bearer token) and returns its name. */
  createContainer(): Promise<string>;
  stop(): Promise<void>;
}

export async function startAzuriteOAuth(): Promise<AzuriteOAuth> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-azurite-oauth-'));
  const caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    // P-256 (fast to make), valid one day, SAN IP:127.0.0.1 so clients verify the host as well as the chain.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const ca = readFileSync(caFile, 'utf8');
  const { url, stop } = await launch(dir, ['--cert', caFile, '--key', keyFile, '--oauth', 'basic']);
  const endpoint = `${url}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    ca,
    caFile,
    createContainer: async () => {
      const name = `c${randomBytes(6).toString('hex')}`;
      const status = await new Promise<number>((resolve, reject) => {
        const headers = { authorization: `Bearer ${azuriteToken().token}`, 'x-ms-version': '2022-11-02' };
        const req = request(`${endpoint}/${name}?restype=container`, { method: 'PUT', headers, ca }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      if (status !== 201) throw new Error(`azurite refused Create Container: HTTP ${status}`);
      return name;
    },
    stop,
  };
}

/** Starts Azurite's blob service in `dir` (removed on stop) with `extraArgs`; resolves once it listens. */
async function launch(dir: string, extraArgs: readonly string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const args = [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', dir, '--silent', '--disableTelemetry', '--skipApiVersionCheck', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true }));
  try {
    return { url: await listeningUrl(child), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`azurite did not start within 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listens on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
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

/**
 * The gateway's config for an Azure mount at `/blobs` (beside the embedded `/files`) on one
 * container, written to `dir` as a real config file and loaded the way `signpost serve` loads it.
 * `backend` adds to or replaces the account-key backend fields (e.g. `useManagedIdentity`).
 */
export function azureMountConfig(dir: string, endpoint: string, container: string, backend: Readonly<Record<string, unknown>> = { accountKey: AZURITE_KEY }, name = 'signpost'): Config {
  const configFile = join(dir, `${name}.json`);
  writeFileSync(
    configFile,
    JSON.stringify({
      backends: { blobs: { kind: 'azure', account: AZURITE_ACCOUNT, container, endpoint, ...backend } },
      mounts: [{ path: '/files' }, { path: '/blobs', storage: 'blobs' }],
    }),
  );
  return loadConfig({ SIGNPOST_CONFIG: configFile, PORT: '0', HOST: '127.0.0.1', SIGNPOST_DATA_DIR: join(dir, `${name}-data`), SIGNPOST_SHUTDOWN_GRACE: '1' });
}

/**
 * The URL with one SAS parameter rewritten by `change` (given the decoded value), every other
 * byte as it was. Works on the decoded value: a signature's first character is often
 * percent-encoded (`%2B`, `%2F`), so editing the raw URL text can leave it unchanged.
 */
export function withSasParam(url: string, param: string, change: (value: string) => string): string {
  const value = new URL(url).searchParams.get(param);
  if (value === null) throw new Error(`no ${param} in the URL`);
  const changed = url.replace(new RegExp(`([?&]${param}=)[^&]*`), (_m, prefix: string) => prefix + encodeURIComponent(change(value)));
  if (changed === url) throw new Error(`rewriting ${param} changed nothing`);
  return changed;
}

/** A different signature of the same length: the first base64 character swapped (it always changes the first byte). */
export const flipFirstChar = (v: string): string => (v.startsWith('A') ? 'B' : 'A') + v.slice(1);
