/**
 * Who may do what over LFS, through the same seams as every other route: authentication and the
 * rate limit once per request, then the policy's `decide` on each exact storage key. The actions:
 *
 *   download an object           read    on  <prefix>lfs/<repo>/objects/<oid[0:2]>/<oid[2:4]>/<oid>
 *   upload / verify an object    write   on  the same key
 *   list locks                   read    on  <prefix>lfs/<repo>/locks
 *   create, verify, unlock       write   on  <prefix>lfs/<repo>/locks
 *   force-unlock another's lock  delete  on  <prefix>lfs/<repo>/locks   (the "lock admin" right)
 *
 * A request is all or nothing: one denied key refuses the whole request, 401 (with
 * `LFS-Authenticate`) for an anonymous caller, 403 otherwise, as route-kit's authorize does; no
 * URL is signed for any object of a refused request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHALLENGE } from '../http/authenticate';
import { forbidden, HttpError, unauthorized } from '../http/errors';
import { facts } from '../http/request-log';
import type { Action, Constraints, Principal } from '../policy/types';
import { authorize, type Allowed, type RouteContext } from '../routes/route-kit';
import { LfsError } from './protocol';

export interface AllowedKeys {
  readonly principal: Principal;
  readonly at: Date;
  /** The allow's constraints, per key (in the order asked). */
  readonly constraints: readonly Constraints[];
}

/** @param keys at least one; decided in order, the first through `authorize` (which also rate-limits). */
export async function authorizeKeys(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, action: Action, keys: readonly [string, ...string[]]): Promise<AllowedKeys> {
  const first = await authorize(ctx, req, res, action, keys[0]);
  const constraints: Constraints[] = [first.constraints];
  for (const key of keys.slice(1)) {
    const decision = ctx.decide(first.principal, action, key);
    if (decision.effect === 'deny') {
      const f = facts(res);
      f.rule = decision.rule;
      f.denyReason = decision.reason;
      if (first.principal.kind === 'anonymous') throw unauthorized('credentials required', CHALLENGE);
      throw forbidden();
    }
    constraints.push(decision.constraints);
  }
  return { principal: first.principal, at: first.at, constraints };
}

/** route-kit's authorize, with a 403 that says what was refused (git shows the message to the user). */
export async function authorizeTo(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, action: Action, key: string, refused: string): Promise<Allowed> {
  try {
    return await authorize(ctx, req, res, action, key);
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 403) throw new LfsError(403, 'forbidden', refused);
    throw err;
  }
}

/** Whether `principal` may also do `action` on `key` (a second right on top of an allowed request). */
export function mayAlso(ctx: RouteContext, res: ServerResponse, principal: Principal, action: Action, key: string): boolean {
  const decision = ctx.decide(principal, action, key);
  facts(res).rule = decision.rule;
  return decision.effect === 'allow';
}

/** The name LFS shows as a lock's owner, and what "ours" is compared on. */
export function ownerName(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : principal.subject;
}
