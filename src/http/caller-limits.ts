/**
 * Rate limits per caller (when `rateLimit` is configured): on every request the gateway
 * authorizes, including those whose credentials fail, and on share-link opens, which carry no
 * credentials at all. Built once by createApp around the authentication seam.
 *
 * Budgets, one token bucket each (the same perSecond and burst), in one bounded limiter:
 *   `<via>:<subject>`  an authenticated principal, wherever its requests come from
 *   `addr:<client>`    anonymous requests and share-link opens from one client (client-address.ts)
 *   `fail:<client>`    credentials from one client that did not check out
 * A request carrying credentials reserves a `fail:` token BEFORE they are checked and gets it
 * back when they prove valid (or could not be checked: 503). So an address that has spent its
 * failure budget is answered 429 without its credentials being looked at, a right guess
 * included (otherwise a guesser would simply ignore the 429s and watch for a success), and
 * parallel guesses cannot all slip in while one is being verified. A valid caller holds the
 * reservation only while its credential is checked, so callers sharing an address (a NAT) do
 * not hold each other up; they are held up by a guesser at that address, which is the point.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../policy/types';
import type { Authenticate } from './authenticate';
import { clientKey } from './client-address';
import { HttpError } from './errors';
import { tooManyRequests, type RateLimiter } from './rate-limit';

export interface CallerLimits {
  /** `authenticate` under the budgets above: the principal, or throws 429 (or the failure, e.g. 401). */
  readonly authenticate: Authenticate;
  /**
   * The same budgets for a credential a route found elsewhere than `Authorization` (an Uppy
   * session in the path): `check` proves it (or throws 401), exactly as `authenticate` would.
   */
  verify(req: IncomingMessage, now: Date, check: () => Principal | Promise<Principal>): Promise<Principal>;
  /** Charges a request that is not authenticated (a share-link open) to its client address; throws 429. */
  chargeAddress(req: IncomingMessage, now: Date): void;
}

/** Addresses whose budget keys are remembered (a caller keeps its address; parsing IPv6 costs microseconds). */
const REMEMBERED_ADDRESSES = 10_000;

interface ClientKeys {
  readonly anonymous: string;
  readonly failures: string;
}

export function limitCallers(limiter: RateLimiter, authenticate: Authenticate): CallerLimits {
  // Per address, the same key strings every time (a Map hashes a string once, not each new concatenation).
  const byAddress = new Map<string, ClientKeys>();
  const keysOf = (address: string | undefined): ClientKeys => {
    let keys = byAddress.get(address ?? '');
    if (keys === undefined) {
      if (byAddress.size >= REMEMBERED_ADDRESSES) byAddress.clear(); // bounded; a flood of addresses just misses
      const client = clientKey(address);
      keys = { anonymous: `addr:${client}`, failures: `fail:${client}` };
      byAddress.set(address ?? '', keys);
    }
    return keys;
  };
  const charge = (key: string, nowMs: number): void => {
    const wait = limiter.take(key, nowMs);
    if (wait > 0) throw tooManyRequests(wait);
  };
  const chargeCaller = (principal: Principal, keys: ClientKeys, nowMs: number): void =>
    charge(principal.kind === 'anonymous' ? keys.anonymous : `${principal.via}:${principal.subject}`, nowMs);

  const verify = async (req: IncomingMessage, now: Date, check: () => Principal | Promise<Principal>): Promise<Principal> => {
    const nowMs = now.getTime();
    const keys = keysOf(req.socket.remoteAddress);
    charge(keys.failures, nowMs);
    let principal: Principal;
    try {
      principal = await check();
    } catch (err) {
      // Only a refusal of the credential itself is the caller's failure; a 503 is ours.
      if (!(err instanceof HttpError && err.statusCode === 401)) limiter.refund(keys.failures);
      throw err;
    }
    limiter.refund(keys.failures);
    chargeCaller(principal, keys, nowMs);
    return principal;
  };

  return {
    authenticate: async (req, now) => {
      if (req.headers.authorization !== undefined) return verify(req, now, () => authenticate(req, now));
      const principal = await authenticate(req, now);
      chargeCaller(principal, keysOf(req.socket.remoteAddress), now.getTime());
      return principal;
    },
    verify,
    chargeAddress: (req, now) => charge(keysOf(req.socket.remoteAddress).anonymous, now.getTime()),
  };
}
