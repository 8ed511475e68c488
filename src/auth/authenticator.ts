/**
 * createAuthenticator: auth config -> `(authorization, now) => Promise<AuthResult>`.
 * Validates the config and loads key material once (throwing AuthConfigError with every
 * problem), then each call parses the header, and checks an API key (in memory) or a JWT.
 * No header at all -> the anonymous principal; the policy decides what anonymous may do.
 */
import { ANONYMOUS } from '../policy/types';
import { createApiKeyLookup } from './api-keys';
import { AuthConfigError, parseAuthConfig } from './auth-config';
import { authFailure, type AuthResult, type Authenticator } from './auth-result';
import { parseAuthorization } from './authorization-header';
import { defaultAuthIo, resolveJwtKey, type AuthIo } from './jwt-keys';
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier';

const ANONYMOUS_RESULT: AuthResult = Object.freeze({ ok: true, principal: ANONYMOUS });
const UNKNOWN_KEY = authFailure('invalid', 'unknown API key');
const NO_JWT = authFailure('invalid', 'JWT authentication is not configured');

/** `config` is raw (e.g. parsed YAML): shaped like AuthConfigInput, validated here. */
export function createAuthenticator(config: unknown, io: AuthIo = defaultAuthIo): Authenticator {
  const parsed = parseAuthConfig(config);
  if (!parsed.ok) throw new AuthConfigError(parsed.problems);
  const lookupKey = createApiKeyLookup(parsed.config.apiKeys);
  let verifyJwt: JwtVerifier | null = null;
  if (parsed.config.jwt !== undefined) {
    try {
      verifyJwt = createJwtVerifier(parsed.config.jwt, resolveJwtKey(parsed.config.jwt, io));
    } catch (e) {
      throw new AuthConfigError([(e as Error).message]);
    }
  }

  return async (authorization, now) => {
    const credential = parseAuthorization(authorization);
    switch (credential.kind) {
      case 'none':
        return ANONYMOUS_RESULT;
      case 'error':
        return authFailure(credential.reason, credential.message);
      case 'api-key': {
        const principal = lookupKey(credential.key);
        return principal === null ? UNKNOWN_KEY : { ok: true, principal };
      }
      case 'jwt':
        return verifyJwt === null ? NO_JWT : verifyJwt(credential.token, now);
    }
  };
}
