/**
 * The auth config schema (zod), validated once at startup. Shape:
 *
 *   apiKeys: [{ hash, subject, groups?, claims?, label? }]
 *   jwt:                           # optional; omit to accept API keys only
 *     hs256Secret | secretEnv | secretFile   # a shared secret (HS256/384/512), >= 32 bytes
 *     jwksFile | jwksUrl           # or public keys (RS/PS/ES/EdDSA); exactly one source in all
 *     issuer, audience             # string or list; audience is strongly recommended
 *     subjectClaim: sub, groupsClaim: groups   # claim names; a dotted path reaches nested claims
 *     subjectNamespace: idp        # token subjects become "idp:<sub>"; or { <iss>: name }; "" = same as API keys
 *                                  # (subject-namespaces.ts; required with API keys or several issuers)
 *     algorithms                   # defaults: [HS256] for a secret, [RS256, ES256] for keys
 *     clockToleranceSeconds: 30    # 0..60
 *     cache: { maxEntries: 1000, ttlSeconds: 60 }   # verified-token cache; 0 entries disables
 *
 * One key source, and algorithms of the matching family only, so a token can never be checked
 * with a key of the other family (the HS256-with-RSA-public-key confusion).
 */
import * as z from 'zod';
import { namespaceProblems, subjectNamespaceSchema } from './subject-namespaces';

const SYMMETRIC = ['HS256', 'HS384', 'HS512'] as const;
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof SYMMETRIC)[number] | (typeof ASYMMETRIC)[number];

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const apiKeyEntrySchema = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the sha256 of the key as 64 lowercase hex characters'),
  subject: z.string().min(1),
  groups: z.array(z.string().min(1)).default([]),
  claims: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  label: z.string().optional(),
});

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
}

export const jwtConfigSchema = z
  .strictObject({
    hs256Secret: z.string().optional(),
    secretEnv: z.string().min(1).optional(),
    secretFile: z.string().min(1).optional(),
    jwksFile: z.string().min(1).optional(),
    jwksUrl: z.url().optional(),
    issuer: oneOrMany.optional(),
    audience: oneOrMany.optional(),
    subjectClaim: z.string().min(1).default('sub'),
    groupsClaim: z.string().min(1).default('groups'),
    subjectNamespace: subjectNamespaceSchema.optional(),
    algorithms: z.array(z.enum([...SYMMETRIC, ...ASYMMETRIC])).min(1).optional(),
    clockToleranceSeconds: z.number().int().min(0).max(60, 'must be at most 60 seconds').default(30),
    cache: z
      .strictObject({
        maxEntries: z.number().int().min(0).max(1_000_000).default(1000),
        ttlSeconds: z.number().int().min(1).max(3600).default(60),
      })
      .default({ maxEntries: 1000, ttlSeconds: 60 }),
  })
  .superRefine((c, ctx) => {
    const sources = (['hs256Secret', 'secretEnv', 'secretFile', 'jwksFile', 'jwksUrl'] as const).filter((k) => c[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `configure exactly one of hs256Secret, secretEnv, secretFile, jwksFile, jwksUrl (got ${sources.length === 0 ? 'none' : sources.join(', ')})` });
      return;
    }
    const symmetric = sources[0] === 'hs256Secret' || sources[0] === 'secretEnv' || sources[0] === 'secretFile';
    const family: readonly string[] = symmetric ? SYMMETRIC : ASYMMETRIC;
    for (const [i, alg] of (c.algorithms ?? []).entries()) {
      if (!family.includes(alg)) ctx.addIssue({ code: 'custom', path: ['algorithms', i], message: `${alg} cannot be used with ${sources[0]}` });
    }
    // Length only, never the value: messages must not leak secrets.
    if (c.hs256Secret !== undefined && Buffer.byteLength(c.hs256Secret) < 32) {
      ctx.addIssue({ code: 'custom', path: ['hs256Secret'], message: 'must be at least 32 bytes' });
    }
    if (c.jwksUrl !== undefined) {
      const url = new URL(c.jwksUrl);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
        ctx.addIssue({ code: 'custom', path: ['jwksUrl'], message: 'must be https (plain http only on loopback)' });
      }
    }
  });

export const authConfigSchema = z
  .strictObject({
    apiKeys: z.array(apiKeyEntrySchema).default([]),
    jwt: jwtConfigSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.apiKeys.forEach((k, i) => {
      if (seen.has(k.hash)) ctx.addIssue({ code: 'custom', path: ['apiKeys', i, 'hash'], message: 'duplicate key hash' });
      seen.add(k.hash);
    });
    for (const p of namespaceProblems(c)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type AuthConfig = z.output<typeof authConfigSchema>;
export type AuthConfigInput = z.input<typeof authConfigSchema>;
export type JwtConfig = z.output<typeof jwtConfigSchema>;

export class AuthConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid auth config:\n${problems.join('\n')}`);
    this.name = 'AuthConfigError';
  }
}

/** Validates raw config; problems read `jwt.audience: ...`. Values are never echoed. */
export function parseAuthConfig(raw: unknown): { ok: true; config: AuthConfig } | { ok: false; problems: string[] } {
  const r = authConfigSchema.safeParse(raw);
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => `${i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n === 0 ? '' : '.'}${String(p)}`)).join('') || '(config)'}: ${i.message}`),
  };
}
