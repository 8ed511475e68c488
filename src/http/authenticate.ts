/**
 * The authentication seam: turns a request's credentials into a Principal, or throws a 401
 * HttpError for credentials that are present but bad. No credentials means anonymous; the
 * policy decides what anonymous callers may do.
 */
import type { Request } from 'express';
import { ANONYMOUS, type Principal } from '../policy/types';

export type Authenticate = (req: Request, now: Date) => Promise<Principal>;

/** The zero-config default: nobody is asked for credentials. */
export const anonymousOnly: Authenticate = () => Promise.resolve(ANONYMOUS);

export function describePrincipal(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : `${principal.via}:${principal.subject}`;
}
