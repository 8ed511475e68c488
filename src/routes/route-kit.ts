/**
 * What the query-dispatched mount routes (tickets, downloads, listings, share links) share:
 * the route context, the one authorize step (authenticate -> decide on the exact key -> 401/403,
 * with the log facts filled in), presigning with 503 on missing credentials, JSON answers,
 * Accept negotiation and a small, bounded JSON body reader that honours `Expect: 100-continue`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyUploads } from '../body-uploads/plan';
import { DEFAULT_BODY_PACE, watchBodyPace } from '../http/body-pace';
import { type Authenticate, CHALLENGE, describePrincipal } from '../http/authenticate';
import type { CallerLimits } from '../http/caller-limits';
import { badRequest, forbidden, HttpError, payloadTooLarge, unauthorized, unsupportedMediaType } from '../http/errors';
import type { Metrics } from '../http/metrics';
import { facts } from '../http/request-log';
import { writeRedirect } from '../http/security-headers';
import type { PublicUrl } from '../http/public-url';
import type { Action, Constraints, Decide, Decision, Principal } from '../policy/types';
import { MAX_PRESIGN_EXPIRY_SECONDS } from '../signing/sigv4-presigner';
import type { ShareSigner } from '../share/tokens';
import type { CursorSealer } from './listing-cursor';
import type { Mount } from '../storage/mount';
import { withCredentials } from '../storage/storage-call';
import type { PresignedRequest, PresignInput } from '../storage/types';
import type { RequestTarget } from './request-target';

export interface RouteContext {
  readonly decide: Decide;
  readonly authenticate: Authenticate;
  /** Default presigned URL lifetime, seconds. */
  readonly urlTtl: number;
  readonly now: () => Date;
  readonly share: ShareSigner;
  /** Seals and opens listing cursors (listing-cursor.ts). */
  readonly cursors: CursorSealer;
  /** Optional per-caller limits (caller-limits.ts); `authenticate` already applies them. */
  readonly limits?: CallerLimits;
  /** The base URL clients reach the gateway at (scheme://host[:port][/path], no trailing "/"), when known: src/http/public-url.ts. */
  readonly publicUrl: PublicUrl;
  /** Optional Prometheus metrics (decision latency is timed only when present). */
  readonly metrics?: Metrics;
  /** What PUT bodies sent without `Expect: 100-continue` get (body-uploads/plan.ts). */
  readonly bodyUploads: BodyUploads;
}

/** A mount route: `target` says what the request asks for (request-target.ts), `query` is the parsed query string. */
export type MountRoute = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, target: RequestTarget, query: URLSearchParams) => Promise<void>;

export interface Allowed {
  readonly principal: Principal;
  readonly constraints: Constraints;
  readonly at: Date;
}

/** Authenticates and decides `action` on `key`; throws 401 (anonymous) or 403 when denied. */
export async function authorize(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, action: Action, key: string): Promise<Allowed> {
  facts(res).action = action;
  const at = ctx.now();
  const principal = await ctx.authenticate(req, at);
  return authorizeAs(ctx, res, principal, at, action, key);
}

/**
 * `authorize` for a caller already identified (by `ctx.authenticate`, or by a signed Uppy
 * session through `ctx.limits.verify`, so rate limits have been applied either way).
 */
export function authorizeAs(ctx: RouteContext, res: ServerResponse, principal: Principal, at: Date, action: Action, key: string): Allowed {
  const f = facts(res);
  f.action = action;
  f.principal = describePrincipal(principal);
  return { principal, constraints: allowed(ctx, res, principal, action, key), at };
}

/** Decides `action` on `key` for a principal already identified; throws 401/403 when denied. */
export function allowed(ctx: RouteContext, res: ServerResponse, principal: Principal, action: Action, key: string): Constraints {
  const f = facts(res);
  let decision: Decision;
  if (ctx.metrics) {
    const started = performance.now();
    decision = ctx.decide(principal, action, key);
    ctx.metrics.decision((performance.now() - started) / 1000);
  } else {
    decision = ctx.decide(principal, action, key);
  }
  f.rule = decision.rule;
  if (decision.effect === 'deny') {
    f.denyReason = decision.reason;
    if (principal.kind === 'anonymous') throw unauthorized('credentials required', CHALLENGE);
    throw forbidden();
  }
  return decision.constraints;
}

export interface TargetAllowed extends Allowed {
  /** Each action's allow, by action (the first one's is also `constraints`). */
  readonly byAction: ReadonlyMap<Action, Constraints>;
}

/**
 * Authorizes every action the request target needs on its key, in order (creating a share link
 * needs share, then read), authenticating once; the first action's allow is `constraints` and
 * the first action is what the log names.
 */
export async function authorizeTarget(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<TargetAllowed> {
  const first = target.actions[0];
  if (first === undefined) throw new Error(`${target.endpoint} requests take no policy decision`); // a routing bug
  const granted = await authorize(ctx, req, res, first, target.key);
  const byAction = new Map<Action, Constraints>([[first, granted.constraints]]);
  for (let i = 1; i < target.actions.length; i++) {
    const action = target.actions[i] as Action;
    byAction.set(action, allowed(ctx, res, granted.principal, action, target.key));
  }
  facts(res).action = first;
  return { ...granted, byAction };
}

/** The URL lifetime for an allow: the rule's ttl or the default, never past SigV4's 7 days. */
export function urlLifetime(ctx: RouteContext, constraints: Constraints): number {
  return Math.min(constraints.ttl ?? ctx.urlTtl, MAX_PRESIGN_EXPIRY_SECONDS);
}

export function presign(mount: Mount, input: PresignInput): Promise<PresignedRequest> {
  return withCredentials(() => mount.backend.presign(input));
}

export function sendBody(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** The 307 to storage, with its one-line text body (http/security-headers.ts). */
export function redirect(res: ServerResponse, location: string): void {
  writeRedirect(res, facts(res).id, location);
}

/** The first of `offered` the Accept header names (in the header's order, q=0 excluded); else the first offered. */
export function negotiate<T extends string>(req: IncomingMessage, offered: readonly [T, ...T[]]): T {
  const accept = req.headers.accept;
  if (accept === undefined) return offered[0];
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
    const hit = offered.find((o) => o === type);
    if (hit !== undefined) return hit;
  }
  return offered[0];
}

export const MAX_JSON_BODY_BYTES = 4096;

/**
 * Reads a small JSON body (at most 4 KB; 413 beyond, without reading the rest). Sends
 * `100 Continue` first when the client waits for it (the server's checkContinue listener
 * leaves that to the handler). Returns undefined when the request has no body.
 */
export async function readSmallJson(req: IncomingMessage, res: ServerResponse, limit = MAX_JSON_BODY_BYTES, types: readonly string[] = ['application/json']): Promise<unknown> {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || length === '0')) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(type)) throw unsupportedMediaType(`the request body must be ${types.join(' or ')}`);
  if (length !== undefined && Number(length) > limit) throw payloadTooLarge(`the JSON body is limited to ${limit} bytes`);
  if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();
  const chunks: Buffer[] = [];
  let size = 0;
  // The server's request timeout is as long as the longest upload (bodyUploads): a small body must keep moving.
  const stop = watchBodyPace(req, DEFAULT_BODY_PACE, () => req.destroy(new HttpError(408, 'body_too_slow', 'the request body stopped moving')));
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        res.setHeader('Connection', 'close');
        throw payloadTooLarge(`the JSON body is limited to ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } finally {
    stop();
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('invalid_json', 'the request body is not valid JSON');
  }
}

/** An object of known fields, or a 400. */
export function jsonObject(value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('invalid_json', 'the JSON body must be an object');
  const unknown = Object.keys(value).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw badRequest('invalid_json', `unknown field(s): ${unknown.join(', ')}; expected ${fields.join(', ')}`);
  return value as Record<string, unknown>;
}

export const notImplemented = (message: string): HttpError => new HttpError(501, 'not_implemented', message);
