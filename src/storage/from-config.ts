/**
 * Named backends (`backends:` in the config file) -> StorageBackends, built once at startup.
 * Secrets are read here, from the variables the config names (never logged); a missing one is
 * a ConfigError naming the field. Managed identity loads `@azure/identity` only when used.
 */
import { ConfigError } from '../config/load';
import type { AzureBackendConfig, BackendConfig } from '../config/schema';
import { refreshingCredentials, type CredentialProvider } from '../signing/credentials';
import { accountKeySource, managedIdentityTokens, userDelegationKeySource, type AzureKeySource, type TokenSource } from './azure-keys';
import { createAzureBackend, defaultAzureEndpoint } from './azure-backend';
import { createS3Backend } from './s3-backend';
import type { ConstraintName, StorageBackend } from './types';

/**
 * GCS's XML API verifies SigV4 (HMAC keys) including signed Content-Length and Content-Type,
 * but treats If-None-Match as a read precondition only (create-only there is
 * `x-goog-if-generation-match: 0`), so create-only is gateway-only on GCS.
 */
const GCS_STORAGE_ENFORCES: ReadonlySet<ConstraintName> = new Set<ConstraintName>(['maxSize', 'contentTypes', 'ttl']);

export function isGoogleCloudStorage(endpoint: string): boolean {
  return new URL(endpoint).hostname === 'storage.googleapis.com';
}

type Env = Readonly<Record<string, string | undefined>>;

export interface BackendDeps {
  readonly env: Env;
  /** The AWS SDK's provider chain (S3 backends without credential variables). */
  defaultS3Credentials(): Promise<CredentialProvider>;
  /** Managed identity tokens (tests pass a fake). */
  readonly azureTokens?: (clientId?: string) => Promise<TokenSource>;
}

export async function createNamedBackends(backends: Readonly<Record<string, BackendConfig>>, deps: BackendDeps): Promise<Map<string, StorageBackend>> {
  const built = new Map<string, StorageBackend>();
  for (const [name, config] of Object.entries(backends)) {
    built.set(name, config.kind === 'azure' ? await azureBackend(name, config, deps) : await s3Backend(name, config, deps));
  }
  return built;
}

async function s3Backend(name: string, config: Extract<BackendConfig, { kind: 's3' }>, deps: BackendDeps): Promise<StorageBackend> {
  let provider: CredentialProvider;
  if (config.accessKeyIdEnv !== undefined && config.secretAccessKeyEnv !== undefined) {
    const accessKeyId = secret(deps.env, name, 'accessKeyIdEnv', config.accessKeyIdEnv);
    const secretAccessKey = secret(deps.env, name, 'secretAccessKeyEnv', config.secretAccessKeyEnv);
    provider = () => Promise.resolve({ accessKeyId, secretAccessKey });
  } else {
    provider = await deps.defaultS3Credentials();
  }
  const { region, endpoint, forcePathStyle, checksumSha256 } = config;
  const gcs = endpoint !== undefined && isGoogleCloudStorage(endpoint);
  return createS3Backend({
    region,
    forcePathStyle,
    credentials: refreshingCredentials(provider),
    ...(endpoint !== undefined && { endpoint }),
    ...(checksumSha256 !== undefined && { checksumSha256 }),
    // GCS's XML API has no SHA-256 check on upload (x-goog-hash carries MD5/CRC32C only), and its
    // POST policies use their own x-goog-* fields (untested here with x-amz-*): both off.
    // GCS's XML API has no SHA-256 check on upload (x-goog-hash carries MD5/CRC32C only).
    ...(gcs && { kind: 'gcs', storageEnforces: GCS_STORAGE_ENFORCES, checksumSha256: false, postPolicies: false }),
  });
}

async function azureBackend(name: string, config: AzureBackendConfig, deps: BackendDeps): Promise<StorageBackend> {
  const endpoint = config.endpoint ?? defaultAzureEndpoint(config.account);
  let keys: AzureKeySource;
  try {
    if (config.useManagedIdentity) {
      const tokens = await (deps.azureTokens ?? managedIdentityTokens)(config.managedIdentityClientId);
      keys = userDelegationKeySource(endpoint, tokens);
    } else {
      const key = config.accountKey ?? secret(deps.env, name, 'accountKeyEnv', config.accountKeyEnv ?? '');
      keys = accountKeySource(key);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`backends.${name}: ${(err as Error).message}`);
  }
  return createAzureBackend({ account: config.account, endpoint, keys });
}

function secret(env: Env, backend: string, field: string, variable: string): string {
  const value = env[variable];
  if (value === undefined || value === '') throw new ConfigError(`backends.${backend}.${field}: the environment variable ${variable} is not set`);
  return value;
}
