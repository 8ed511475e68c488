/**
 * Composition root: turns a validated Config into the running parts (storage backends,
 * mounts, the embedded store when no bucket is configured) and the express app. Shared by
 * the long-lived server and the Lambda handler, so both serve exactly the same app.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { createApp } from './app';
import { ConfigError } from './config/load';
import { EMBEDDED_BUCKET, type Config } from './config/schema';
import type { Logger } from './log';
import { refreshingCredentials, staticCredentials, type CredentialProvider } from './signing/credentials';
import type { Mount } from './storage/mount';
import { createS3Backend } from './storage/s3-backend';
import type { StorageBackend } from './storage/types';
import { startEmbeddedStore, type EmbeddedStore } from './store';

export interface Runtime {
  readonly app: Express;
  readonly mounts: readonly Mount[];
  /** Present when serving the embedded store. */
  readonly store?: EmbeddedStore;
  close(): Promise<void>;
}

/** The embedded store's SigV4 region; any fixed value works since it only talks to itself. */
const EMBEDDED_REGION = 'us-east-1';

export interface RuntimeOptions {
  readonly logger: Logger;
  /** S3 mode: where credentials come from (defaults to the AWS SDK's provider chain). */
  readonly credentialProvider?: CredentialProvider;
  readonly now?: () => Date;
}

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  let backend: StorageBackend;
  let store: EmbeddedStore | undefined;
  const buckets = (defaultBucket: string) => [...new Set(config.mounts.map((m) => m.bucket ?? defaultBucket))];

  if (config.storage.kind === 'embedded') {
    if (isWildcard(config.host) && config.storage.publicUrl === undefined) {
      throw new ConfigError(`HOST ${config.host} is a wildcard address: set SIGNPOST_STORE_PUBLIC_URL (storage.publicUrl) to the URL clients reach the embedded store at`);
    }
    // Fresh credentials each start: they never leave this process, and old URLs die with it.
    const credentials = { accessKeyId: `SP${randomBytes(9).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
    store = await startEmbeddedStore({
      dataDir: config.dataDir,
      host: config.host,
      port: config.storage.port,
      region: EMBEDDED_REGION,
      credentials,
      buckets: buckets(EMBEDDED_BUCKET),
      ...(config.storage.publicUrl !== undefined && { publicUrl: config.storage.publicUrl }),
      logger: logger.child({ component: 'store' }),
      ...(options.now && { now: options.now }),
    });
    backend = createS3Backend({ region: EMBEDDED_REGION, endpoint: store.url, forcePathStyle: true, credentials: staticCredentials(credentials), kind: 'embedded' });
  } else {
    const { region, endpoint, forcePathStyle } = config.storage;
    const provider = options.credentialProvider ?? (await defaultCredentialProvider());
    backend = createS3Backend({ region, forcePathStyle, credentials: refreshingCredentials(provider), ...(endpoint !== undefined && { endpoint }) });
  }

  const defaultBucket = config.storage.kind === 's3' ? config.storage.bucket : EMBEDDED_BUCKET;
  const mounts: Mount[] = config.mounts.map((m) => ({ path: m.path, bucket: m.bucket ?? defaultBucket, prefix: m.prefix, backend }));
  const app = createApp({ mounts, logger, urlTtl: config.urlTtl, corsOrigins: config.corsOrigins, ...(options.now && { now: options.now }) });

  return {
    app,
    mounts,
    ...(store && { store }),
    close: async () => {
      await store?.close();
    },
  };
}

async function defaultCredentialProvider(): Promise<CredentialProvider> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain();
}

/** A wildcard bind address is not something a client can connect to. */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}
