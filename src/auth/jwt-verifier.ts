/**
 * Verifying a JWT with jose: signature with the configured key and an explicit algorithm list
 * (so `alg: none` and HS/RS confusion fail), then exp (required), nbf, iss and aud with the
 * configured clock tolerance, at the caller's `now`. Verified principals are cached briefly by
 * the token's sha256, until min(exp, now + ttl), since asymmetric verification costs far more
 * than a hash and a Map lookup (see bench/auth-jwt-cache.ts).
 */
import { createHash } from 'node:crypto';
import { errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import type { Principal } from '../policy/types';
import type { JwtConfig } from './auth-config';
import { authFailure, type AuthResult } from './auth-result';
import { principalFromClaims } from './jwt-claims';
import type { ResolvedJwt } from './jwt-keys';
import { subjectQualifier } from './subject-namespaces';
import { TtlLru } from './ttl-lru';

export type JwtVerifier = (token: string, now: Date) => Promise<AuthResult>;

/** Maps jose's errors to our reasons and to messages of our own (jose's are fine, but ours are vetted not to echo input). */
export function classifyJoseError(e: unknown, remoteKeys: boolean): AuthResult {
  if (e instanceof errors.JWTExpired) return authFailure('expired', 'token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return authFailure('invalid', 'token is not valid yet');
    return authFailure('invalid', `token claim "${e.claim}" ${e.reason === 'missing' ? 'is missing' : 'is not accepted'}`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return authFailure('invalid', 'token algorithm is not allowed');
  if (e instanceof errors.JWSSignatureVerificationFailed) return authFailure('invalid', 'token signature is invalid');
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return authFailure('invalid', 'no key matches the token');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return authFailure('malformed', 'token is not a well-formed JWT');
  if (e instanceof errors.JOSENotSupported) return authFailure('invalid', 'token uses an unsupported algorithm or key');
  // Anything else while keys come from the network is the key server's fault, not the caller's.
  if (remoteKeys) return authFailure('unavailable', 'token keys are unavailable, try again later');
  return authFailure('invalid', 'token could not be verified');
}

export function createJwtVerifier(cfg: JwtConfig, resolved: ResolvedJwt): JwtVerifier {
  const options: JWTVerifyOptions = {
    algorithms: resolved.algorithms,
    clockTolerance: cfg.clockToleranceSeconds,
    requiredClaims: ['exp'], // a token without expiry would be a password that never changes
    ...(cfg.issuer !== undefined && { issuer: cfg.issuer }),
    ...(cfg.audience !== undefined && { audience: cfg.audience }),
  };
  const qualify = subjectQualifier(cfg.subjectNamespace);
  const cache = new TtlLru<Principal>(cfg.cache.maxEntries);
  const ttlMs = cfg.cache.ttlSeconds * 1000;
  const { key } = resolved;
  const caching = cfg.cache.maxEntries > 0;

  return async (token, now) => {
    const nowMs = now.getTime();
    // Keyed by a hash so the cache never holds bearer tokens themselves.
    const cacheKey = caching ? createHash('sha256').update(token).digest('base64url') : '';
    const cached = caching ? cache.get(cacheKey, nowMs) : undefined;
    if (cached !== undefined) return { ok: true, principal: cached };

    let payload;
    try {
      const opts = { ...options, currentDate: now };
      payload = (key.kind === 'secret' ? await jwtVerify(token, key.secret, opts) : await jwtVerify(token, key.getKey, opts)).payload;
    } catch (e) {
      return classifyJoseError(e, key.kind === 'jwks' && key.remote);
    }
    const claims = principalFromClaims(payload, cfg.subjectClaim, cfg.groupsClaim, qualify);
    if (!claims.ok) return authFailure('invalid', claims.message);
    if (caching) {
      // Never past exp (without tolerance: conservative) and never before nbf minus tolerance.
      const expiresAt = Math.min((payload.exp ?? 0) * 1000, nowMs + ttlMs);
      const notBefore = payload.nbf === undefined ? -Infinity : (payload.nbf - cfg.clockToleranceSeconds) * 1000;
      cache.set(cacheKey, claims.principal, notBefore, expiresAt);
    }
    return { ok: true, principal: claims.principal };
  };
}
