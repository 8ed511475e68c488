/**
 * API keys: `sp_` + base64url(32 random bytes). Config stores only sha256(key) as hex, with the
 * subject and groups the key acts as. Lookup hashes the presented key, finds the entry in a Map
 * and re-compares the hashes in constant time.
 *
 * Why plain sha256 and not bcrypt/scrypt: a key carries 256 bits of entropy, so inverting its
 * hash by guessing is infeasible however fast the hash is; slow KDFs protect low-entropy human
 * passwords, would cost milliseconds per request, and need a per-entry salt, which rules out
 * looking the key up by its hash. The Map lookup's timing depends only on the hash of what the
 * caller sent, which tells them nothing about valid keys; the constant-time compare afterwards
 * is belt and braces.
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../signing/sha256';
import type { Principal } from '../policy/types';

export const API_KEY_PREFIX = 'sp_';
const API_KEY_SHAPE = /^sp_[A-Za-z0-9_-]{43}$/;

/** One configured key: what goes into the auth config (never the key itself). */
export interface ApiKeyEntry {
  /** sha256 of the whole key (prefix included), lowercase hex. */
  readonly hash: string;
  readonly subject: string;
  readonly groups: readonly string[];
  /** Extra attributes policies may match with `claim:` selectors or `{claim.NAME}`. */
  readonly claims?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** Free text for humans and logs, e.g. "ci-deploy". */
  readonly label?: string | undefined;
}

/** Whether a string is shaped like one of our keys (not whether it is valid). */
export function isApiKeyShaped(s: string): boolean {
  return API_KEY_SHAPE.test(s);
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** A fresh key and its config entry. Show `key` once to its owner; store only `entry`. */
export function createApiKey(opts: { subject: string; groups?: readonly string[]; label?: string }): { key: string; entry: ApiKeyEntry } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const entry: ApiKeyEntry = {
    hash: hashApiKey(key),
    subject: opts.subject,
    groups: [...(opts.groups ?? [])],
    ...(opts.label !== undefined && { label: opts.label }),
  };
  return { key, entry };
}

export type ApiKeyLookup = (key: string) => Principal | null;

/** Builds the lookup once; principals are prebuilt and frozen, so a hit allocates nothing. */
export function createApiKeyLookup(entries: readonly ApiKeyEntry[]): ApiKeyLookup {
  const byHash = new Map<string, Principal>();
  for (const e of entries) {
    const principal: Principal = Object.freeze({
      kind: 'user',
      subject: e.subject,
      groups: Object.freeze([...e.groups]),
      claims: Object.freeze({ ...e.claims }),
      via: 'api-key',
    });
    byHash.set(e.hash.toLowerCase(), principal);
  }
  // The lookup is by the SHA-256 of the presented key, so lookup timing can only tell an
  // attacker about hashes of keys they already hold, never about a stored key: no separate
  // constant-time compare is needed. One-shot hashing: this runs on every request.
  return (key) => (isApiKeyShaped(key) ? (byHash.get(sha256Hex(key)) ?? null) : null);
}
