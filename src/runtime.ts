/**
 * The long-lived server's composition: picks the storage (the embedded store when no bucket is
 * configured, else S3 with credentials from the AWS SDK's provider chain, refreshed before they
 * expire) and builds the gateway on it. The Lambda handler composes its own, lighter runtime.
 */
import { randomBytes } from 'node:crypto';
import { checkOpenBinding } from './access';
import { ConfigError } from './config/load';
import type { Config } from './config/schema';
import { buildGateway, mountBuckets, type Gateway, type GatewayOptions } from './gateway';
import { refreshingCredentials, staticCredentials, type CredentialProvider } from './signing/credentials';
import type { TokenSource } from './storage/azure-keys';
import { createNamedBackends } from './storage/from-config';
import { createS3Backend } from './storage/s3-backend';
import type { StorageBackend } from './storage/types';
import { startEmbeddedStore, type EmbeddedStore } from './store';

export interface Runtime extends Gateway {
  /** Present when serving the embedded store. */
  readonly store?: EmbeddedStore;
  /** Closes the embedded store, giving its in-flight uploads `config.shutdownGrace`. */
  close(): Promise<void>;
}

export interface RuntimeOptions extends GatewayOptions {
  /** S3 mode: where credentials come from (defaults to the AWS SDK's provider chain). */
  readonly credentialProvider?: CredentialProvider;
  /** Named backends: where secrets named by `*Env` fields are read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Named Azure backends with useManagedIdentity: the token source (default `@azure/identity`). */
  readonly azureTokens?: (clientId?: string) => Promise<TokenSource>;
}

/** The embedded store's SigV4 region; any fixed value works since it only talks to itself. */
const EMBEDDED_REGION = 'us-east-1';

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  checkOpenBinding(config);
  const backends = await createNamedBackends(config.backends ?? {}, {
    env: options.env ?? process.env,
    defaultS3Credentials: defaultCredentialProvider,
    ...(options.azureTokens && { azureTokens: options.azureTokens }),
  });
  let backend: StorageBackend;
  let store: EmbeddedStore | undefined;

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
      buckets: mountBuckets(config),
      logger: options.logger.child({ component: 'store' }),
      ...(config.storage.publicUrl !== undefined && { publicUrl: config.storage.publicUrl }),
    });
    backend = createS3Backend({ region: EMBEDDED_REGION, endpoint: store.url, forcePathStyle: true, credentials: staticCredentials(credentials), kind: 'embedded', checksumSha256: true });
  } else {
    const { region, endpoint, forcePathStyle, checksumSha256 } = config.storage;
    const provider = options.credentialProvider ?? (await defaultCredentialProvider());
    backend = createS3Backend({ region, forcePathStyle, credentials: refreshingCredentials(provider), ...(endpoint !== undefined && { endpoint }), ...(checksumSha256 !== undefined && { checksumSha256 }) });
  }

  let gateway: Gateway;
  try {
    gateway = buildGateway(config, backend, { ...options, backends });
  } catch (err) {
    await store?.close(0);
    throw err;
  }
  return {
    ...gateway,
    ...(store && { store }),
    close: async () => {
      await store?.close(config.shutdownGrace * 1000);
    },
  };
}

async function defaultCredentialProvider(): Promise<CredentialProvider> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain();
}

/** A wildcard bind address is not something a client can connect to. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}
