/**
 * Fail closed on constraints storage cannot enforce. Every backend says which policy
 * constraints it makes storage itself enforce (`storageEnforces`); the gateway checks all of
 * them before redirecting, but a client holding a URL is bound only by what storage enforces.
 * So at startup every allow rule that could apply to a mount's keys and asks for a constraint
 * that mount's backend cannot enforce is a problem naming the rule and the mount, unless the
 * rule says `enforce: gateway` (then it is accepted, and reported as such).
 *
 * "Could apply" is decided conservatively from the patterns' literal leading segments and the
 * mount's key prefix: a rule is skipped only when none of its patterns can match a key under it.
 */
import { parsePathPattern } from '../policy/path-pattern';
import type { PolicyRule } from '../policy/policy-schema';
import { CONSTRAINT_NAMES, type ConstraintName, type StorageBackend } from './types';

export interface MountCapabilities {
  readonly path: string;
  readonly prefix: string;
  readonly backend: Pick<StorageBackend, 'kind' | 'storageEnforces'>;
}

export interface GatewayOnlyRule {
  readonly rule: string;
  readonly mount: string;
  readonly backend: string;
  /** Constraints of the rule that only the gateway enforces on this mount. */
  readonly constraints: readonly ConstraintName[];
  /** True when the rule says `enforce: gateway`. */
  readonly accepted: boolean;
}

/** Constraints that only matter on uploads; `ttl` applies to every action. */
const WRITE_ONLY: ReadonlySet<ConstraintName> = new Set(['maxSize', 'contentTypes', 'createOnly']);

export function gatewayOnlyConstraints(backend: Pick<StorageBackend, 'storageEnforces'>): ConstraintName[] {
  return CONSTRAINT_NAMES.filter((c) => !backend.storageEnforces.has(c));
}

export function findGatewayOnlyRules(rules: readonly PolicyRule[], mounts: readonly MountCapabilities[]): GatewayOnlyRule[] {
  const found: GatewayOnlyRule[] = [];
  for (const mount of mounts) {
    const missing = gatewayOnlyConstraints(mount.backend);
    if (missing.length === 0) continue;
    for (const rule of rules) {
      if (rule.effect !== 'allow') continue;
      const writes = rule.actions.some((a) => a === 'write' || a === '*');
      const constraints = missing.filter((c) => rule[c] !== undefined && rule[c] !== false && (writes || !WRITE_ONLY.has(c)));
      if (constraints.length === 0 || !rule.paths.some((p) => mayMatchUnder(p, mount.prefix))) continue;
      found.push({ rule: rule.id, mount: mount.path, backend: mount.backend.kind, constraints, accepted: rule.enforce === 'gateway' });
    }
  }
  return found;
}

/** The startup error for the refused ones: every rule and mount, and the two ways out. */
export function describeRefused(refused: readonly GatewayOnlyRule[]): string {
  const lines = refused.map(
    (r) => `  - rule "${r.rule}" asks for ${r.constraints.join(', ')} on mount ${r.mount}, whose ${r.backend} backend cannot make storage enforce ${r.constraints.length > 1 ? 'them' : 'it'}`,
  );
  return (
    `policy constraints that storage cannot enforce:\n${lines.join('\n')}\n` +
    `  A client holding a URL for these mounts is not bound by them. Add "enforce: gateway" to the rule to accept gateway-only enforcement, ` +
    `or serve these keys from a backend that enforces them (see docs/backends.md).`
  );
}

/** Can `pattern` match some key that starts with `prefix` ('' or ending in '/')? Errs on yes. */
export function mayMatchUnder(pattern: string, prefix: string): boolean {
  if (prefix === '') return true;
  const parsed = parsePathPattern(pattern);
  if (!parsed.ok) return true;
  const prefixSegments = prefix.slice(0, -1).split('/');
  const literal = parsed.pattern.literalPrefix;
  for (let i = 0; i < Math.min(literal.length, prefixSegments.length); i++) {
    if (literal[i] !== prefixSegments[i]) return false;
  }
  // An all-literal pattern no longer than the prefix names the prefix's folder itself, never a key below it.
  return !(parsed.pattern.rest.length === 0 && literal.length <= prefixSegments.length);
}

/**
 * Content binding, beyond the policy constraints: does a mount's storage verify a signed
 * `x-amz-checksum-sha256` (PresignInput.checksumSha256), so an upload URL accepts exactly one
 * body? Routes that promise content-bound uploads (the Git LFS server, checksum tickets) ask here
 * rather than trusting that signing the header is enough: Ceph RGW 16 signs it happily and then
 * stores any bytes (test/e2e/lfs-rgw.test.ts measures that).
 */
export function bindsContent(backend: Pick<StorageBackend, 'checksumSha256'>): boolean {
  return backend.checksumSha256 === true;
}

/**
 * The default for an S3-compatible backend when the config does not say (`checksumSha256`):
 * AWS S3 itself (no endpoint) verifies the header; any other endpoint is not trusted to, since
 * RGW 16 ignores it and an unknown store might refuse the header outright.
 */
export function defaultS3ChecksumSha256(endpoint: string | undefined): boolean {
  return endpoint === undefined;
}
