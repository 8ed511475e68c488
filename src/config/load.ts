/**
 * Loads configuration from an optional file (`SIGNPOST_CONFIG`, JSON or YAML) overlaid with
 * environment variables, validates it once, and reports every problem naming the field and,
 * where it came from the environment, the variable. Pure given (env, readFile).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from './schema';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variable -> config path. */
const ENV_FIELDS: readonly (readonly [string, readonly string[]])[] = [
  ['PORT', ['port']],
  ['HOST', ['host']],
  ['SIGNPOST_DATA_DIR', ['dataDir']],
  ['SIGNPOST_URL_TTL', ['urlTtl']],
  ['SIGNPOST_LOG_LEVEL', ['logLevel']],
  ['SIGNPOST_SHUTDOWN_GRACE', ['shutdownGrace']],
  ['SIGNPOST_POLICY', ['policy']],
  ['SIGNPOST_METRICS', ['metrics']],
  ['SIGNPOST_METRICS_TOKEN', ['metricsToken']],
  ['SIGNPOST_METRICS_PORT', ['metricsPort']],
  ['SIGNPOST_SHARE_KEY', ['shareKey']],
  ['SIGNPOST_PUBLIC_URL', ['publicUrl']],
  ['SIGNPOST_STORE_PORT', ['storage', 'port']],
  ['SIGNPOST_STORE_PUBLIC_URL', ['storage', 'publicUrl']],
  ['SIGNPOST_BUCKET', ['storage', 'bucket']],
  ['SIGNPOST_S3_ENDPOINT', ['storage', 'endpoint']],
  ['SIGNPOST_FORCE_PATH_STYLE', ['storage', 'forcePathStyle']],
  ['SIGNPOST_BODY_UPLOADS', ['bodyUploads', 'mode']],
  ['SIGNPOST_BODY_UPLOADS_MAX_BYTES', ['bodyUploads', 'maxBytes']],
  ['SIGNPOST_BODY_UPLOADS_CONCURRENCY', ['bodyUploads', 'concurrency']],
  ['SIGNPOST_BODY_UPLOADS_TIMEOUT', ['bodyUploads', 'timeoutSeconds']],
  ['SIGNPOST_S3_CHECKSUM_SHA256', ['storage', 'checksumSha256']],
];

/** Storage settings that only mean something for S3 (the embedded store's URLs are always path-style). */
const S3_ONLY: ReadonlySet<string> = new Set(['endpoint', 'forcePathStyle', 'region', 'bucket']);
const S3_ONLY_MESSAGE = 'applies to S3 storage only, and no bucket is set: set SIGNPOST_BUCKET (storage.bucket) to use S3, or unset it to use the embedded store';

export function loadConfig(env: Env = process.env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Config {
  const raw: Record<string, unknown> = env.SIGNPOST_CONFIG ? readConfigFile(env.SIGNPOST_CONFIG, readFile) : {};
  const fromEnv = new Map<string, string>();

  for (const [name, path] of ENV_FIELDS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, value);
    fromEnv.set(path.join('.'), name);
  }
  const storage = raw.storage as Record<string, unknown> | undefined;
  if (env.SIGNPOST_BUCKET) {
    // A bucket switches from the embedded store to S3; its region comes from the AWS variables.
    const s3 = storage ?? {};
    s3.kind = 's3';
    delete s3.port;
    delete s3.publicUrl;
    s3.region ??= env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    fromEnv.set('storage.region', 'AWS_REGION');
    raw.storage = s3;
  } else if (storage && storage.kind === undefined) {
    storage.kind = 'embedded';
  }
  if (env.SIGNPOST_RATE_LIMIT) {
    // "10" (10/s, burst 10) or "10:50" (10/s, burst 50)
    const [perSecond, burst = perSecond] = env.SIGNPOST_RATE_LIMIT.split(':');
    raw.rateLimit = { perSecond, burst };
    fromEnv.set('rateLimit.perSecond', 'SIGNPOST_RATE_LIMIT');
    fromEnv.set('rateLimit.burst', 'SIGNPOST_RATE_LIMIT');
  }
  if (env.SIGNPOST_CORS_ORIGINS) {
    raw.corsOrigins = env.SIGNPOST_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
    fromEnv.set('corsOrigins', 'SIGNPOST_CORS_ORIGINS');
  }

  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const embedded = (raw.storage as Record<string, unknown> | undefined)?.kind !== 's3';
  const problem = (path: readonly PropertyKey[], message: string): string => {
    const field = path.map(String).join('.') || '(root)';
    const variable = fromEnv.get(field);
    return `  - ${variable ? `${variable} (${field})` : field}: ${message}`;
  };
  // An unknown key is reported on its own field (so the variable that set it is named), and an
  // S3-only storage setting without a bucket says what to do about it.
  const problems = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => problem([...issue.path, key], embedded && issue.path.join('.') === 'storage' && S3_ONLY.has(key) ? S3_ONLY_MESSAGE : 'not a known setting'))
      : [problem(issue.path, issue.message)],
  );
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

function readConfigFile(path: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(`cannot read SIGNPOST_CONFIG file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`cannot parse SIGNPOST_CONFIG file ${path}: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`SIGNPOST_CONFIG file ${path} must hold an object`);
  return value as Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
