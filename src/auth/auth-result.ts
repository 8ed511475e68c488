/**
 * What authentication answers. Failures carry a coarse reason for the HTTP layer and a message
 * safe to log or return: messages never contain the credential (or any part of it).
 * Suggested mapping: missing/malformed/invalid/expired -> 401 with WWW-Authenticate,
 * unavailable (the JWKS endpoint could not be reached) -> 503.
 */
import type { Principal } from '../policy/types';

export type AuthFailureReason = 'missing' | 'malformed' | 'invalid' | 'expired' | 'unavailable';

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: AuthFailureReason; readonly message: string };

/** Turns an Authorization header value (undefined when absent) into a principal. */
export type Authenticator = (authorization: string | undefined, now: Date) => Promise<AuthResult>;

export function authFailure(reason: AuthFailureReason, message: string): AuthResult {
  return { ok: false, reason, message };
}
