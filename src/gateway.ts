/**
 * buildGateway: configuration + storage backends -> mounts and the express app. Knows nothing
 * about the embedded store or where credentials come from, so the Lambda bundle can use it
 * without pulling in the store's server code. Each mount uses the default backend, or the
 * named one (`storage:`) passed in `options.backends`. Fails closed: a policy rule asking for a
 * constraint its mount's backend cannot make storage enforce stops startup (capabilities.ts).
 */
import { loadAccessControl, type AccessControl } from './access';
import { createApp, type App } from './app';
import { EMBEDDED_BUCKET, type Config } from './config/schema';
import type { Authenticate } from './http/authenticate';
import { lfsMountPath } from './lfs/paths';
import type { LfsOption } from './lfs/route';
import { createMetrics, type Metrics } from './http/metrics';
import type { Logger } from './log';
import { ConfigError } from './config/load';
import type { PolicyRule } from './policy';
import type { Decide } from './policy/types';
import { bindsContent, describeRefused, findGatewayOnlyRules, gatewayOnlyConstraints, type MountCapabilities } from './storage/capabilities';
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
  /** The named backends (`backends:` in config) that mounts may select with `storage:`. */
  readonly backends?: ReadonlyMap<string, StorageBackend>;
  /** Access control already loaded by validateGateway (the server validates before it listens). */
  readonly access?: AccessControl;
  /** Where the built browser UI lives (default: next to the bundle); tests build their own. */
  readonly webDir?: string;
  /** The gateway's public base URL when config has none (`publicUrl`): known later, e.g. the listening address. */
  readonly publicUrl?: () => string | undefined;
}

export interface Gateway {
  readonly app: App;
  readonly mounts: readonly Mount[];
  readonly access: AccessControl;
  /** Present when metrics are on; without a metrics token the server serves them on a loopback port. */
  readonly metrics?: Metrics;
}

export function defaultBucket(config: Config): string {
  return config.storage.kind === 's3' ? config.storage.bucket : EMBEDDED_BUCKET;
}

/** The bucket (Azure: container) a mount's keys live in. */
export function mountBucket(config: Config, mount: Config['mounts'][number]): string {
  if (mount.bucket !== undefined) return mount.bucket;
  const named = mount.storage === undefined ? undefined : config.backends?.[mount.storage];
  if (named) return named.kind === 'azure' ? named.container : named.bucket;
  return defaultBucket(config);
}

/** Every bucket some mount on the default storage uses (the embedded store creates them at start). */
export function mountBuckets(config: Config): string[] {
  return [...new Set(config.mounts.filter((m) => m.storage === undefined).map((m) => mountBucket(config, m)))];
}

type Capabilities = MountCapabilities['backend'];

/** Each configured mount with the backend it uses (or just that backend's capabilities). */
function mountsOf<B extends Capabilities>(config: Config, backend: B, backends: ReadonlyMap<string, B> | undefined): (Omit<Mount, 'backend'> & { backend: B })[] {
  return config.mounts.map((m) => {
    const chosen = m.storage === undefined ? backend : backends?.get(m.storage);
    if (!chosen) throw new ConfigError(`mount ${m.path}: backend "${m.storage}" is not available in this runtime`);
    return { path: m.path, bucket: mountBucket(config, m), prefix: m.prefix, backend: chosen };
  });
}

/**
 * Everything buildGateway would refuse (policy, auth, constraints storage cannot enforce),
 * checked from the default backend's capabilities alone, so a server can refuse a bad
 * configuration before it starts anything (the embedded store's backend only exists once the
 * store listens). Returns the loaded access control for buildGateway to reuse.
 */
export function validateGateway(config: Config, defaultBackend: Capabilities, backends?: ReadonlyMap<string, Capabilities>): AccessControl {
  const access = loadAccessControl(config);
  const refused = findGatewayOnlyRules(access.policy?.rules ?? [], mountsOf(config, defaultBackend, backends)).filter((f) => !f.accepted);
  if (refused.length > 0) throw new ConfigError(describeRefused(refused));
  return access;
}

/** Loads the policy and authentication from config (once, unless `options.access` holds them); throws ConfigError on any problem. */
export function buildGateway(config: Config, backend: StorageBackend, options: GatewayOptions): Gateway {
  const access = options.access ?? loadAccessControl(config);
  const mounts: Mount[] = mountsOf(config, backend, options.backends);
  checkStorageEnforcement(access.policy?.rules ?? [], mounts, options.logger);
  const metrics = config.metrics ? createMetrics() : undefined;
  const publicUrl = config.publicUrl ?? options.publicUrl;
  const app = createApp({
    mounts,
    logger: options.logger,
    urlTtl: config.urlTtl,
    corsOrigins: config.corsOrigins,
    ...(config.shareKey !== undefined && { shareKey: config.shareKey }),
    ...(config.rateLimit !== undefined && { rateLimit: config.rateLimit }),
    lfs: lfsOption(config),
    ...(metrics && { metrics }),
    ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
    // `lfs: false` turns the feature off too (and LFS on a mount that names none is off).
    features: { ...config.features, lfs: lfsMountPath(config) !== undefined },
    ...(options.webDir !== undefined && { webDir: options.webDir }),
    ...(publicUrl !== undefined && { publicUrl }),
    bodyUploads: config.bodyUploads,
    decide: options.decide ?? access.decide,
    authenticate: options.authenticate ?? access.authenticate,
    ...(options.now && { now: options.now }),
  });
  return { app, mounts, access, ...(metrics && { metrics }) };
}

function lfsOption(config: Config): LfsOption {
  const mount = lfsMountPath(config);
  return mount === undefined ? false : { mount };
}

/** Says at startup what each mount's storage enforces; refuses rules that need more (fail closed). */
function checkStorageEnforcement(rules: readonly PolicyRule[], mounts: readonly Mount[], logger: Logger): void {
  for (const m of mounts) {
    const gatewayOnly = gatewayOnlyConstraints(m.backend);
    logger.info(
      { mount: m.path, backend: m.backend.kind, storageEnforces: [...m.backend.storageEnforces], gatewayOnly, checksumSha256: bindsContent(m.backend) },
      gatewayOnly.length ? `mount ${m.path} (${m.backend.kind}): ${gatewayOnly.join(', ')} enforced by the gateway only, not by storage` : `mount ${m.path} (${m.backend.kind}): storage enforces every policy constraint`,
    );
  }
  if (rules.length === 0 || mounts.every((m) => gatewayOnlyConstraints(m.backend).length === 0)) return;
  const found = findGatewayOnlyRules(rules, mounts);
  for (const r of found.filter((f) => f.accepted)) {
    logger.warn({ rule: r.rule, mount: r.mount, backend: r.backend, gatewayOnly: r.constraints }, `rule ${r.rule} accepts gateway-only enforcement of ${r.constraints.join(', ')} on mount ${r.mount}`);
  }
  const refused = found.filter((f) => !f.accepted);
  if (refused.length > 0) throw new ConfigError(describeRefused(refused));
}
