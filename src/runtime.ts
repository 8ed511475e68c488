/**
 * The long-lived server's composition: picks the storage (the embedded store when no bucket is
 * configured, else S3 with credentials from the AWS SDK's provider chain, refreshed before they
 * expire) and builds the gateway on it. prepareRuntime checks the whole configuration first and
 * starts nothing; its `start` starts the store. The Lambda handler composes its own, lighter runtime.
 */
import { randomBytes } from 'node:crypto';
import { checkOpenBinding } from './access';
import { ConfigError } from './config/load';
import type { Config } from './config/schema';
import { buildGateway, mountBuckets, validateGateway, type Gateway, type GatewayOptions } from './gateway';
import { describeListenError } from './http/listen';
import { refreshingCredentials, staticCredentials, type CredentialProvider } from './signing/credentials';
import type { TokenSource } from './storage/azure-keys';
import { createNamedBackends } from './storage/from-config';
import { createS3Backend } from './storage/s3-backend';
import { CONSTRAINT_NAMES, type StorageBackend } from './storage/types';
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

/** A configuration checked as far as it can be without listening; `start` starts the rest. */
export interface PreparedRuntime {
  /** Starts the embedded store (when configured) and builds the gateway on the storage. */
  start(): Promise<Runtime>;
}

/** What the embedded store's backend makes storage enforce (createS3Backend's default): everything. */
const EMBEDDED_CAPABILITIES = { kind: 'embedded', storageEnforces: new Set(CONSTRAINT_NAMES) } as const;

/**
 * Validates everything a bad configuration can get wrong (binding, policy, auth, backends,
 * constraints storage cannot enforce) before anything listens, so a refused start leaves no
 * port opened and no store started behind it.
 */
export async function prepareRuntime(config: Config, options: RuntimeOptions): Promise<PreparedRuntime> {
  checkOpenBinding(config);
  if (config.storage.kind === 'embedded' && isWildcard(config.host) && config.storage.publicUrl === undefined) {
    throw new ConfigError(`HOST ${config.host} is a wildcard address: set SIGNPOST_STORE_PUBLIC_URL (storage.publicUrl) to the URL clients reach the embedded store at`);
  }
  const backends = await createNamedBackends(config.backends ?? {}, {
    env: options.env ?? process.env,
    defaultS3Credentials: defaultCredentialProvider,
    ...(options.azureTokens && { azureTokens: options.azureTokens }),
  });
  const storage = config.storage;
  const s3 = storage.kind === 's3' ? await defaultS3Backend(storage, options) : undefined;
  const access = validateGateway(config, s3 ?? EMBEDDED_CAPABILITIES, backends);
  const build = (backend: StorageBackend) => buildGateway(config, backend, { ...options, backends, access });
  return {
    start: async () => {
      if (storage.kind === 's3') return { ...build(s3!), close: () => Promise.resolve() };
      const { store, credentials } = await startStore(config, storage, options);
      try {
        const backend = createS3Backend({ region: EMBEDDED_REGION, endpoint: store.url, forcePathStyle: true, credentials: staticCredentials(credentials), kind: 'embedded', checksumSha256: true });
        return { ...build(backend), store, close: () => store.close(config.shutdownGrace * 1000) };
      } catch (err) {
        await store.close(0);
        throw err;
      }
    },
  };
}

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  return (await prepareRuntime(config, options)).start();
}

async function startStore(config: Config, storage: Extract<Config['storage'], { kind: 'embedded' }>, options: RuntimeOptions) {
  // Fresh credentials each start: they never leave this process, and old URLs die with it.
  const credentials = { accessKeyId: `SP${randomBytes(9).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  try {
    const store = await startEmbeddedStore({
      dataDir: config.dataDir,
      host: config.host,
      port: storage.port,
      region: EMBEDDED_REGION,
      credentials,
      buckets: mountBuckets(config),
      logger: options.logger.child({ component: 'store' }),
      ...(storage.publicUrl !== undefined && { publicUrl: storage.publicUrl }),
    });
    return { store, credentials };
  } catch (err) {
    throw describeListenError(err as NodeJS.ErrnoException, { port: storage.port, host: config.host, what: 'the embedded store', portVariable: 'SIGNPOST_STORE_PORT' });
  }
}

async function defaultS3Backend(storage: Extract<Config['storage'], { kind: 's3' }>, options: RuntimeOptions): Promise<StorageBackend> {
  const { region, endpoint, forcePathStyle, checksumSha256 } = storage;
  const provider = options.credentialProvider ?? (await defaultCredentialProvider());
  return createS3Backend({ region, forcePathStyle, credentials: refreshingCredentials(provider), ...(endpoint !== undefined && { endpoint }), ...(checksumSha256 !== undefined && { checksumSha256 }) });
}

async function defaultCredentialProvider(): Promise<CredentialProvider> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain();
}

/** A wildcard bind address is not something a client can connect to. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}
