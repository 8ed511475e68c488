/**
 * Prepares a front door's event for serverless-http: the path in its canonical encoded form
 * (canonical-path.ts) in the one field serverless-http reads, and the body of any request the
 * gateway never reads (everything but POST) dropped before serverless-http base64-decodes it.
 *
 * Contract: returns a new event (the caller's is not touched) or a rejection to answer with
 * 400. Throws only for an event that is not an HTTP request from a known front door.
 *
 * What serverless-http 4 does with what we hand it (lib/provider/aws/*): req.url is
 * `url.format({ pathname, search | query })` with pathname = `requestPath || rawPath` (2.0) or
 * `requestPath || path` (1.0/ALB); url.format only escapes `?` and `#`, which the canonical form
 * never contains raw. `requestPath` is cleared so it cannot override the canonical path. The
 * body becomes a Buffer and content-length is set from it only when the header is missing, so
 * a dropped body keeps the client's Content-Length (which the PUT signature binds); when the
 * door sent none, it is set to the length of the body that was dropped. serverless-http makes
 * `requestContext.identity.sourceIp` (1.0/ALB) or `requestContext.http.sourceIp` (2.0) the
 * request's `socket.remoteAddress`, which rate limits are keyed on; an ALB fills in neither, so
 * its client address (front-door.ts: the rightmost X-Forwarded-For entry) is put into the first.
 */
import { canonicalPath } from './canonical-path';
import { clientAddressOf, detectFrontDoor, FRONT_DOORS, methodOf, type FrontDoor, type LambdaHttpEvent } from './front-door';

export type NormalisedEvent =
  | { readonly ok: true; readonly door: FrontDoor; readonly event: LambdaHttpEvent; readonly client: string | undefined }
  | { readonly ok: false; readonly door: FrontDoor; readonly event: LambdaHttpEvent; readonly reason: string };

/** Methods whose body the gateway reads: none of the redirects do; POST is kept for JSON endpoints. */
const BODY_METHODS = new Set(['POST']);

export class NotAnHttpEvent extends Error {
  override readonly name = 'NotAnHttpEvent';
}

export function normaliseEvent(event: LambdaHttpEvent): NormalisedEvent {
  const door = detectFrontDoor(event);
  if (door === undefined) {
    throw new NotAnHttpEvent('signpost: not an HTTP event from API Gateway (REST or HTTP API), a Lambda Function URL or an ALB');
  }
  const facts = FRONT_DOORS[door];
  const canonical = canonicalPath(event[facts.pathField] as string, facts.decodesPath);
  if (!canonical.ok) return { ok: false, door, event, reason: canonical.reason };

  const next: Record<string, unknown> = { ...event, [facts.pathField]: canonical.path, requestPath: undefined };
  const client = clientAddressOf(event, door);
  if (door === 'alb') next.requestContext = { ...event.requestContext, identity: { sourceIp: client } };
  if (!BODY_METHODS.has(methodOf(event, door)) && bodyLength(event) > 0) {
    if (headerValue(event, 'content-length') === undefined) {
      next.headers = { ...(isRecord(event.headers) ? event.headers : {}), 'content-length': String(bodyLength(event)) };
    }
    next.body = '';
    next.isBase64Encoded = false;
  }
  return { ok: true, door, event: next, client };
}

/** Bytes in the body as the door sent it, without decoding base64. */
export function bodyLength(event: LambdaHttpEvent): number {
  const body = event.body;
  if (typeof body !== 'string' || body === '') return 0;
  if (event.isBase64Encoded !== true) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
}

/** A header from `headers` or `multiValueHeaders`, by case-insensitive name. */
export function headerValue(event: LambdaHttpEvent, name: string): string | undefined {
  for (const source of [event.headers, event.multiValueHeaders]) {
    if (!isRecord(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() !== name) continue;
      if (typeof value === 'string') return value;
      if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
