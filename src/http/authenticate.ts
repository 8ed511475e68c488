/**
 * The authentication seam: turns a request's credentials into a Principal, or throws: 401 with
 * `WWW-Authenticate` for credentials that are present but bad, 503 when a key source (a remote
 * JWKS) cannot be reached. No credentials means anonymous; the policy decides what anonymous
 * callers may do. Only the Authorization header counts: curl and browsers drop it when the
 * redirect goes to another host or port, so it never reaches storage next to the query auth.
 */
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth';
import { ANONYMOUS, type Principal } from '../policy/types';
import { serviceUnavailable, unauthorized } from './errors';

export type Authenticate = (req: IncomingMessage, now: Date) => Promise<Principal>;

export const CHALLENGE = 'Bearer realm="signpost", Basic realm="signpost"';

/** The zero-config default: nobody is asked for credentials. */
export const anonymousOnly: Authenticate = () => Promise.resolve(ANONYMOUS);

export function fromAuthenticator(authenticator: Authenticator): Authenticate {
  return async (req, now) => {
    const result = await authenticator(req.headers.authorization, now);
    if (result.ok) return result.principal;
    if (result.reason === 'unavailable') throw serviceUnavailable('cannot verify credentials right now; try again shortly', 5);
    const error = result.reason === 'missing' || result.reason === 'malformed' ? 'invalid_request' : 'invalid_token';
    throw unauthorized(result.message, `Bearer realm="signpost", error="${error}", Basic realm="signpost"`);
  };
}

export function describePrincipal(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : `${principal.via}:${principal.subject}`;
}
