/**
 * The configuration schema: one validated object built once at startup. Defaults make the
 * zero-setup start work (embedded store, loopback, /files mount); a bad value stops startup
 * with a message naming the field (see load.ts for how fields map to environment variables).
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { normalizePublicUrl } from '../http/public-url';
import { checkPrefix } from '../keys/object-key';
import { parseByteSize } from '../policy/byte-size';
import { ALL_FEATURES } from './features';

const seconds = z.coerce.number().int().min(1).max(604_800);
const port = z.coerce.number().int().min(0).max(65_535);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))]);

export const EmbeddedStorageSchema = z.strictObject({
  kind: z.literal('embedded'),
  /** Loopback port of the embedded store; 0 picks a free one at start. */
  port: port.default(0),
  /** The base URL clients reach the store at, when not http://HOST:PORT (e.g. behind a proxy). */
  publicUrl: z.url().optional(),
});

export const S3StorageSchema = z.strictObject({
  kind: z.literal('s3'),
  bucket: z.string().min(3).max(63),
  region: z.string().min(1),
  /** Any S3-compatible endpoint; absent means AWS's regional endpoint. */
  endpoint: z.url().optional(),
  forcePathStyle: bool.default(false),
  /** Storage verifies a signed x-amz-checksum-sha256 (AWS, MinIO, Ceph 19+; not Ceph RGW 16). Default: true only without `endpoint` (AWS). */
  checksumSha256: bool.optional(),
});

/** A host name or an IP address; an IPv6 address may be bracketed as in a URL (`[::1]` is `::1`). */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const host = z
  .string()
  .min(1)
  .transform((h) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h))
  .refine((h) => isIP(h) !== 0 || HOSTNAME.test(h), 'must be a host name or an IP address (e.g. 127.0.0.1, ::1 or [::1]), without a scheme or port');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** A named S3-compatible backend (AWS, GCS's XML API with HMAC keys, R2, MinIO, ...). */
export const S3BackendSchema = S3StorageSchema.extend({
  /** Where the HMAC/access key pair is read from; absent: the AWS SDK's provider chain. */
  accessKeyIdEnv: envName.optional(),
  secretAccessKeyEnv: envName.optional(),
}).superRefine((b, ctx) => {
  if ((b.accessKeyIdEnv === undefined) !== (b.secretAccessKeyEnv === undefined)) {
    ctx.addIssue({ code: 'custom', path: [b.accessKeyIdEnv === undefined ? 'accessKeyIdEnv' : 'secretAccessKeyEnv'], message: 'set both accessKeyIdEnv and secretAccessKeyEnv, or neither' });
  }
});

/** Azure Blob Storage: one container of one account, signed with SAS. */
export const AzureBackendSchema = z
  .strictObject({
    kind: z.literal('azure'),
    account: z.string().regex(/^[a-z0-9]{3,24}$/, 'must be 3-24 lowercase letters and digits (the storage account name)'),
    container: z
      .string()
      .regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit'),
    /** Absent: https://ACCOUNT.blob.core.windows.net. An emulator: http://127.0.0.1:10000/ACCOUNT. */
    endpoint: z.url().optional(),
    /** Shared key: exactly one of accountKey, accountKeyEnv, useManagedIdentity. */
    accountKey: z.string().min(1).optional(),
    accountKeyEnv: envName.optional(),
    /** User delegation SAS with a token from the managed identity (`@azure/identity`). */
    useManagedIdentity: z.literal(true, { error: 'must be true when present' }).optional(),
    /** A user-assigned managed identity's client id; absent: the system-assigned one. */
    managedIdentityClientId: z.string().min(1).optional(),
  })
  .superRefine((b, ctx) => {
    const set = (['accountKey', 'accountKeyEnv', 'useManagedIdentity'] as const).filter((f) => b[f] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({ code: 'custom', path: set.length > 1 ? [set[1]!] : [], message: 'set exactly one of accountKey, accountKeyEnv, useManagedIdentity' });
    }
    if (b.managedIdentityClientId !== undefined && b.useManagedIdentity === undefined) {
      ctx.addIssue({ code: 'custom', path: ['managedIdentityClientId'], message: 'only applies with useManagedIdentity: true' });
    }
  });

export const BackendSchema = z.discriminatedUnion('kind', [S3BackendSchema, AzureBackendSchema]);
const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** S3's single-PUT limit: a body larger than this cannot go to storage in one request anyway. */
const MAX_BODY_UPLOAD_BYTES = 5 * 1024 ** 3;
const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseByteSize(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  return parsed.bytes;
});

export const BodyUploadsSchema = z.strictObject({
  /** stream: through the gateway to storage, bytes once; redirect: 307, the body read and dropped, sent again to storage. */
  mode: z.enum(['stream', 'redirect']).default('stream'),
  /** The largest body handled so, bytes (or "1GiB"); larger ones get the plain 307 with a 4 MiB drain. */
  maxBytes: byteSize.pipe(z.number().max(MAX_BODY_UPLOAD_BYTES, 'must be at most 5 GiB (S3\'s single-PUT limit)')).default(MAX_BODY_UPLOAD_BYTES),
  /** Bodies handled at once; more get the plain 307. */
  concurrency: z.coerce.number().int().min(1).max(10_000).default(16),
  /** The longest one body may take, seconds (it must also keep moving: 4 KiB/s, no 30 s pause). */
  timeoutSeconds: z.coerce.number().int().min(1).max(86_400).default(3600),
});

const MountSchema = z.strictObject({
  path: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like /files or /a/b (letters, digits, ". _ ~ -")')
    .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain "." or ".." segments'),
  /** A name from `backends`; absent: the default `storage`. */
  storage: z.string().min(1).optional(),
  /** Defaults to the storage's bucket (the embedded store's is `signpost`; an Azure backend's container). */
  bucket: z.string().min(3).max(63).optional(),
  prefix: z
    .string()
    .default('')
    .superRefine((p, ctx) => {
      const problem = checkPrefix(p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

export const ConfigSchema = z
  .strictObject({
    port: port.default(3000),
    host: host.default('127.0.0.1'),
    dataDir: z.string().min(1).default('.signpost-data'),
    /** Presigned URL lifetime in seconds: 5 minutes by default, 7 days (SigV4's limit) at most. */
    urlTtl: seconds.default(300),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    storage: z.discriminatedUnion('kind', [EmbeddedStorageSchema, S3StorageSchema]).default({ kind: 'embedded', port: 0 }),
    /** Named storage backends that mounts may use instead of the default `storage`. */
    backends: z.record(z.string().regex(BACKEND_NAME, 'backend names are 1-63 letters, digits, "_" and "-"'), BackendSchema).optional(),
    mounts: z.array(MountSchema).min(1).default([{ path: '/files', prefix: '' }]),
    /** Origins allowed to call the gateway from a browser (CORS); `*` allows any. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /** The policy: a file path (YAML or JSON), or the document inline. Absent: allow everything (loopback only). */
    policy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** Authentication (API keys, JWT); validated by src/auth when the app is built. */
    auth: z.record(z.string(), z.unknown()).optional(),
    /** The URL clients reach the gateway at (share links are built on it); absent: the listening address. Never the Host header. */
    publicUrl: z
      .string()
      .transform((v, ctx) => {
        try {
          return normalizePublicUrl(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      })
      .optional(),
    /** Signs share links (HMAC-SHA256); absent: a random key per start, so links die on restart. Rotate to revoke all links. */
    shareKey: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
    /** Serve Prometheus metrics at GET /metrics (counts and latencies only; no keys or principals). */
    metrics: bool.default(false),
    /** With it, /metrics is on the gateway's port for `Authorization: Bearer <token>` only; without, on 127.0.0.1:metricsPort only. */
    metricsToken: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
    /** The loopback port metrics are served on when there is no metricsToken (default 9464; 0 picks a free one). */
    metricsPort: port.optional(),
    /** Optional token-bucket limits per caller (principal, or client address when anonymous); 429 + Retry-After. */
    rateLimit: z.strictObject({ perSecond: z.coerce.number().positive(), burst: z.coerce.number().int().min(1) }).optional(),
    /** The Git LFS server at /lfs/<repo> (src/lfs): objects and locks live under `lfs/` in this mount (default: the first mount); false turns it off, as `features.lfs: false` does. */
    lfs: z.union([z.literal(false), z.strictObject({ mount: z.string().min(1).optional() })]).default({}),
    /** Seconds to let in-flight requests finish on SIGTERM. */
    shutdownGrace: z.coerce.number().min(0).max(600).default(10),
    /** Optional features, all on unless turned off; a request for one that is off gets 501 (routes/features.ts). */
    features: z
      .strictObject({ multipart: bool.default(true), listing: bool.default(true), share: bool.default(true), web: bool.default(true), lfs: bool.default(true), uppy: bool.default(true) })
      .default(ALL_FEATURES),
    /** PUT bodies sent without `Expect: 100-continue` (python requests, urllib, HTTPie, wget, fetch): src/body-uploads/plan.ts. */
    bodyUploads: BodyUploadsSchema.default({ mode: 'stream', maxBytes: MAX_BODY_UPLOAD_BYTES, concurrency: 16, timeoutSeconds: 3600 }),
  })
  .superRefine((config, ctx) => {
    if (config.lfs !== false && config.features.lfs) {
      const lfsMount = config.lfs.mount;
      if (lfsMount !== undefined && !config.mounts.some((m) => m.path === lfsMount)) ctx.addIssue({ code: 'custom', path: ['lfs', 'mount'], message: `no mount ${lfsMount} (mounts: ${config.mounts.map((m) => m.path).join(', ')})` });
      config.mounts.forEach((m, i) => {
        if (m.path === '/lfs' || m.path.startsWith('/lfs/')) ctx.addIssue({ code: 'custom', path: ['mounts', i, 'path'], message: '/lfs is the Git LFS server: choose another mount path, or turn LFS off (features.lfs: false)' });
      });
    }
    for (const field of ['metricsToken', 'metricsPort'] as const) {
      if (config[field] !== undefined && !config.metrics) ctx.addIssue({ code: 'custom', path: [field], message: 'only applies with metrics on (SIGNPOST_METRICS=true)' });
    }
    if (config.metricsToken !== undefined && config.metricsPort !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['metricsPort'], message: 'choose one: metricsToken serves /metrics on the gateway\'s port, metricsPort on a loopback port' });
    }
    const seen = new Set<string>();
    config.mounts.forEach((m, i) => {
      if (seen.has(m.path)) ctx.addIssue({ code: 'custom', path: ['mounts', i, 'path'], message: `duplicate mount path ${m.path}` });
      seen.add(m.path);
      if (m.storage !== undefined && !Object.hasOwn(config.backends ?? {}, m.storage)) {
        const known = Object.keys(config.backends ?? {});
        ctx.addIssue({
          code: 'custom',
          path: ['mounts', i, 'storage'],
          message: `unknown backend "${m.storage}": define it under backends${known.length ? ` (defined: ${known.join(', ')})` : ''}`,
        });
      }
    });
  });

export type Config = z.infer<typeof ConfigSchema>;
export type StorageConfig = Config['storage'];
export type MountConfig = Config['mounts'][number];
export type BackendConfig = z.infer<typeof BackendSchema>;
export type AzureBackendConfig = z.infer<typeof AzureBackendSchema>;

export const EMBEDDED_BUCKET = 'signpost';
