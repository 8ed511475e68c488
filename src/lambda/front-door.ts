/**
 * Which front door delivered a Lambda event, and what that door has already done to the path.
 *
 * Contract: `detectFrontDoor(event)` names the door from the event's shape alone, or returns
 * undefined for anything that is not an HTTP event. `FRONT_DOORS[door]` says which field holds
 * the path (the one serverless-http turns into req.url) and whether the door decoded it.
 *
 * What each door hands over (live captures in hotsock/voker `vokerhttp/testdata/ingress-paths.json`,
 * and middleapi/standard-server#93): REST APIs, Function URLs and ALBs pass the path as the
 * client sent it, still percent-encoded. HTTP APIs (payload 2.0 `rawPath`, and 1.0 `path`)
 * decode it, and lossily: `%3F` truncates the path at the decoded `?`, and `%25xx` is decoded a
 * second time (`%252F` arrives as `/`, `%2525` as `%`).
 *
 * The client's address (what rate limits are keyed on) comes from the one field each door fills
 * in itself from the connection, never from a header a client could set: REST APIs and HTTP API
 * payload 1.0 `requestContext.identity.sourceIp`, payload 2.0 (HTTP API, Function URL)
 * `requestContext.http.sourceIp`. An ALB event has no such field; the ALB appends the address
 * of whoever connected to it to `X-Forwarded-For` (its default `append` mode), so the rightmost
 * entry is the ALB's own and everything left of it is whatever the client sent. See
 * docs/deploy-aws.md for the caveats (the `preserve`/`remove` modes, CloudFront in front).
 */
import { isIP } from 'node:net';

export type FrontDoor = 'rest-api' | 'http-api' | 'http-api-v1' | 'function-url' | 'alb';

export interface FrontDoorFacts {
  /** The event field serverless-http builds req.url from. */
  readonly pathField: 'path' | 'rawPath';
  /** True when the door hands over a decoded path. */
  readonly decodesPath: boolean;
  /** Payload format 2.0 (method in requestContext.http, single-value headers). */
  readonly v2: boolean;
  /** Where the door puts the client's address (see the header comment for why it is trusted). */
  readonly clientAddress: 'requestContext.identity.sourceIp' | 'requestContext.http.sourceIp' | 'X-Forwarded-For, rightmost entry';
}

export const FRONT_DOORS: Readonly<Record<FrontDoor, FrontDoorFacts>> = {
  'rest-api': { pathField: 'path', decodesPath: false, v2: false, clientAddress: 'requestContext.identity.sourceIp' },
  'http-api': { pathField: 'rawPath', decodesPath: true, v2: true, clientAddress: 'requestContext.http.sourceIp' },
  'http-api-v1': { pathField: 'path', decodesPath: true, v2: false, clientAddress: 'requestContext.identity.sourceIp' },
  'function-url': { pathField: 'rawPath', decodesPath: false, v2: true, clientAddress: 'requestContext.http.sourceIp' },
  alb: { pathField: 'path', decodesPath: false, v2: false, clientAddress: 'X-Forwarded-For, rightmost entry' },
};

/** The fields of the event shapes this module reads or rewrites; everything else passes through. */
export interface LambdaHttpEvent {
  readonly version?: unknown;
  readonly httpMethod?: unknown;
  readonly path?: unknown;
  readonly rawPath?: unknown;
  readonly requestPath?: unknown;
  readonly body?: unknown;
  readonly isBase64Encoded?: unknown;
  readonly headers?: unknown;
  readonly multiValueHeaders?: unknown;
  readonly requestContext?: {
    readonly elb?: unknown;
    readonly domainName?: unknown;
    readonly http?: { readonly method?: unknown; readonly [field: string]: unknown };
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}

// Function URLs cannot have custom domains (CloudFront in front still presents this one).
const FUNCTION_URL_DOMAIN = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

export function detectFrontDoor(event: LambdaHttpEvent): FrontDoor | undefined {
  const context = event.requestContext;
  if (context?.elb !== undefined && typeof event.path === 'string') return 'alb';
  if (event.version === '2.0' && typeof event.rawPath === 'string') {
    const domain = typeof context?.domainName === 'string' ? context.domainName : '';
    return FUNCTION_URL_DOMAIN.test(domain) ? 'function-url' : 'http-api';
  }
  if (typeof event.httpMethod !== 'string' || typeof event.path !== 'string') return undefined;
  // REST API proxy events carry no `version`; HTTP API payload 1.0 events say "1.0".
  return event.version === '1.0' ? 'http-api-v1' : 'rest-api';
}

export function methodOf(event: LambdaHttpEvent, door: FrontDoor): string {
  const method = FRONT_DOORS[door].v2 ? event.requestContext?.http?.method : event.httpMethod;
  return typeof method === 'string' ? method.toUpperCase() : 'GET';
}

/** The client's address as the door states it, or undefined when it states none that is an IP address. */
export function clientAddressOf(event: LambdaHttpEvent, door: FrontDoor): string | undefined {
  const context = event.requestContext;
  let address: unknown;
  switch (FRONT_DOORS[door].clientAddress) {
    case 'requestContext.identity.sourceIp':
      address = (context?.identity as { sourceIp?: unknown } | undefined)?.sourceIp;
      break;
    case 'requestContext.http.sourceIp':
      address = context?.http?.sourceIp;
      break;
    case 'X-Forwarded-For, rightmost entry':
      address = lastForwardedFor(event);
      break;
  }
  return typeof address === 'string' && isIP(address) !== 0 ? address : undefined;
}

/** The last entry of the last X-Forwarded-For value (multi-value headers keep every copy, in order). */
function lastForwardedFor(event: LambdaHttpEvent): string | undefined {
  let last: unknown;
  for (const source of [event.headers, event.multiValueHeaders]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      if (name.toLowerCase() !== 'x-forwarded-for') continue;
      last = Array.isArray(value) ? value.at(-1) : value;
    }
  }
  return typeof last === 'string' ? last.split(',').at(-1)?.trim() : undefined;
}
