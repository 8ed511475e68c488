/**
 * The configuration schema: one validated object built once at startup. Defaults make the
 * zero-setup start work (embedded store, loopback, /files mount); a bad value stops startup
 * with a message naming the field (see load.ts for how fields map to environment variables).
 */
import { z } from 'zod';
import { checkPrefix } from '../keys/object-key';

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
});

const MountSchema = z.strictObject({
  path: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like /files or /a/b (letters, digits, ". _ ~ -")')
    .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain "." or ".." segments'),
  /** Defaults to the storage's bucket (the embedded store's is `signpost`). */
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
    host: z.string().min(1).default('127.0.0.1'),
    dataDir: z.string().min(1).default('.signpost-data'),
    /** Presigned URL lifetime in seconds: 5 minutes by default, 7 days (SigV4's limit) at most. */
    urlTtl: seconds.default(300),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    storage: z.discriminatedUnion('kind', [EmbeddedStorageSchema, S3StorageSchema]).default({ kind: 'embedded', port: 0 }),
    mounts: z.array(MountSchema).min(1).default([{ path: '/files', prefix: '' }]),
    /** Origins allowed to call the gateway from a browser (CORS); `*` allows any. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /** The policy: a file path (YAML or JSON), or the document inline. Absent: allow everything (loopback only). */
    policy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** Authentication (API keys, JWT); validated by src/auth when the app is built. */
    auth: z.record(z.string(), z.unknown()).optional(),
    /** Seconds to let in-flight requests finish on SIGTERM. */
    shutdownGrace: z.coerce.number().min(0).max(600).default(10),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.mounts.forEach((m, i) => {
      if (seen.has(m.path)) ctx.addIssue({ code: 'custom', path: ['mounts', i, 'path'], message: `duplicate mount path ${m.path}` });
      seen.add(m.path);
    });
  });

export type Config = z.infer<typeof ConfigSchema>;
export type StorageConfig = Config['storage'];
export type MountConfig = Config['mounts'][number];

export const EMBEDDED_BUCKET = 'signpost';
