/**
 * Who is calling the Uppy endpoint. Uppy 6's S3 plugin sends no headers of its own to its
 * signing server (its `headers` option is gone), so a caller has two ways in:
 *
 *   - `<gateway>/uppy/s3/…` with the usual `Authorization` (any client that can set it), or
 *     nothing (anonymous: the policy decides, as everywhere);
 *   - `<gateway>/uppy/s/<session>/s3/…`, where the session is minted by
 *     `POST /uppy/session` with an API key or JWT and stands in for it. A bad or expired session
 *     is a 401, like a bad credential.
 *
 * Sessions live `ttl` seconds (default 24 h, at most 7 days), never past a JWT's own `exp`, and
 * cannot be revoked one by one (rotate the share key to end them all), which docs/uppy.md says.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHALLENGE, describePrincipal } from '../http/authenticate';
import { badRequest, HttpError, unauthorized } from '../http/errors';
import type { Principal } from '../policy/types';
import { facts } from '../http/request-log';
import { sendJson, type RouteContext } from '../routes/route-kit';
import { MAX_TOKEN_CHARS, type UppyTokens } from './tokens';

export const DEFAULT_SESSION_SECONDS = 24 * 3600;
export const MAX_SESSION_SECONDS = 7 * 24 * 3600;

/** The caller: from the session in the path when there is one, else from the request's credentials. */
export async function callerOf(ctx: RouteContext, tokens: UppyTokens, req: IncomingMessage, session: string | undefined, at: Date): Promise<Principal> {
  if (session === undefined) return ctx.authenticate(req, at);
  const open = (): Principal => {
    const opened = tokens.openSession(session, Math.floor(at.getTime() / 1000));
    if (opened.ok) return opened.value;
    throw unauthorized(opened.reason === 'expired' ? 'this Uppy session has expired: create a new one' : 'this Uppy session is not valid', CHALLENGE);
  };
  // The session stands in for a credential, so it is charged like one (rate limits, failed guesses).
  return ctx.limits ? ctx.limits.verify(req, at, open) : open();
}

/** POST /uppy/session[?ttl=S]: 201 `{ endpoint, expiresAt }` for an authenticated caller. */
export async function createSession(ctx: RouteContext, tokens: UppyTokens, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const ttlText = query.get('ttl');
  if (ttlText !== null && !/^\d{1,7}$/.test(ttlText)) throw badRequest('invalid_ttl', `ttl must be whole seconds, 1 to ${MAX_SESSION_SECONDS}`);
  const ttl = ttlText === null ? DEFAULT_SESSION_SECONDS : Number(ttlText);
  if (ttl < 1 || ttl > MAX_SESSION_SECONDS) throw badRequest('invalid_ttl', `ttl must be whole seconds, 1 to ${MAX_SESSION_SECONDS}`);
  const at = ctx.now();
  const principal = await ctx.authenticate(req, at);
  facts(res).principal = describePrincipal(principal);
  if (principal.kind !== 'user') throw unauthorized('an Uppy session needs credentials (an API key or a JWT)', CHALLENGE);
  const now = Math.floor(at.getTime() / 1000);
  const jwtExp = principal.via === 'jwt' && typeof principal.claims.exp === 'number' ? principal.claims.exp : Infinity;
  const exp = Math.min(now + ttl, jwtExp);
  const token = tokens.sealSession(principal, exp);
  if (token.length > MAX_TOKEN_CHARS) throw new HttpError(400, 'claims_too_large', 'the token\'s claims are too large to carry in an Uppy session');
  sendJson(res, 201, { endpoint: `/uppy/s/${token}`, expiresAt: new Date(exp * 1000).toISOString() });
}
