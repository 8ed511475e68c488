/**
 * buildGateway: configuration + a storage backend -> mounts and the express app. Knows nothing
 * about the embedded store or where credentials come from, so the Lambda bundle can use it
 * without pulling in the store's server code.
 */
import { loadAccessControl, type AccessControl } from './access';
import { createApp, type App } from './app';
import { EMBEDDED_BUCKET, type Config } from './config/schema';
import type { Authenticate } from './http/authenticate';
import type { Logger } from './log';
import type { Decide } from './policy/types';
import type { Mount } from './storage/mount';
import type { StorageBackend } from './storage/types';

export interface GatewayOptions {
  readonly logger: Logger;
  /** Overrides the configured policy (tests). */
  readonly decide?: Decide;
  /** Overrides the configured authentication (tests). */
  readonly authenticate?: Authenticate;
  /** The gateway's clock. */
  readonly now?: () => Date;
}

export interface Gateway {
  readonly app: App;
  readonly mounts: readonly Mount[];
  readonly access: AccessControl;
}

export function defaultBucket(config: Config): string {
  return config.storage.kind === 's3' ? config.storage.bucket : EMBEDDED_BUCKET;
}

/** Every bucket some mount uses (the embedded store creates them at start). */
export function mountBuckets(config: Config): string[] {
  return [...new Set(config.mounts.map((m) => m.bucket ?? defaultBucket(config)))];
}

/** Loads the policy and authentication from config (once); throws ConfigError on any problem. */
export function buildGateway(config: Config, backend: StorageBackend, options: GatewayOptions): Gateway {
  const access = loadAccessControl(config);
  const bucket = defaultBucket(config);
  const mounts: Mount[] = config.mounts.map((m) => ({ path: m.path, bucket: m.bucket ?? bucket, prefix: m.prefix, backend }));
  const app = createApp({
    mounts,
    logger: options.logger,
    urlTtl: config.urlTtl,
    corsOrigins: config.corsOrigins,
    decide: options.decide ?? access.decide,
    authenticate: options.authenticate ?? access.authenticate,
    ...(options.now && { now: options.now }),
  });
  return { app, mounts, access };
}
