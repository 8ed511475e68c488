/**
 * Turning the jwt config's key source into what jose verifies with: the shared secret's bytes,
 * or a JWKS (local file, or remote URL fetched and cached by jose). File and environment access
 * go through `AuthIo` so tests and the CLI can supply their own. Errors name the source
 * (variable name, file path), never its contents.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { JwtAlgorithm, JwtConfig } from './auth-config';

export interface AuthIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
}

export const defaultAuthIo: AuthIo = { env: process.env, readFile: (p) => readFileSync(p, 'utf8') };

export type JwtKey = { readonly kind: 'secret'; readonly secret: Uint8Array } | { readonly kind: 'jwks'; readonly getKey: JWTVerifyGetKey; readonly remote: boolean };

export interface ResolvedJwt {
  readonly key: JwtKey;
  readonly algorithms: JwtAlgorithm[];
}

/** How long a remote JWKS fetch may take, and how soon an unknown `kid` may trigger a refetch. */
const REMOTE_JWKS = { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 };

function secretBytes(text: string, origin: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length < 32) throw new Error(`${origin}: the HS256 secret must be at least 32 bytes`);
  return bytes;
}

function readOrThrow(io: AuthIo, path: string, what: string): string {
  try {
    return io.readFile(path);
  } catch (e) {
    throw new Error(`jwt.${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
}

/** Resolves the single configured key source (the schema guarantees exactly one). */
export function resolveJwtKey(cfg: JwtConfig, io: AuthIo = defaultAuthIo): ResolvedJwt {
  if (cfg.hs256Secret !== undefined || cfg.secretEnv !== undefined || cfg.secretFile !== undefined) {
    let secret: Uint8Array;
    if (cfg.hs256Secret !== undefined) secret = secretBytes(cfg.hs256Secret, 'jwt.hs256Secret');
    else if (cfg.secretEnv !== undefined) {
      const value = io.env[cfg.secretEnv];
      if (value === undefined || value === '') throw new Error(`jwt.secretEnv: environment variable ${cfg.secretEnv} is not set`);
      secret = secretBytes(value, `jwt.secretEnv (${cfg.secretEnv})`);
    } else {
      const path = cfg.secretFile as string;
      // A trailing newline is an editor artifact, not part of the secret.
      secret = secretBytes(readOrThrow(io, path, 'secretFile').replace(/\r?\n$/, ''), `jwt.secretFile (${path})`);
    }
    return { key: { kind: 'secret', secret }, algorithms: cfg.algorithms ?? ['HS256'] };
  }
  const algorithms: JwtAlgorithm[] = cfg.algorithms ?? ['RS256', 'ES256'];
  if (cfg.jwksFile !== undefined) {
    const text = readOrThrow(io, cfg.jwksFile, 'jwksFile');
    let getKey: JWTVerifyGetKey;
    try {
      getKey = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    } catch (e) {
      throw new Error(`jwt.jwksFile: ${cfg.jwksFile} is not a JSON Web Key Set`, { cause: e });
    }
    return { key: { kind: 'jwks', getKey, remote: false }, algorithms };
  }
  const getKey = createRemoteJWKSet(new URL(cfg.jwksUrl as string), REMOTE_JWKS);
  return { key: { kind: 'jwks', getKey, remote: true }, algorithms };
}
