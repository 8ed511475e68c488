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
 */

export type FrontDoor = 'rest-api' | 'http-api' | 'http-api-v1' | 'function-url' | 'alb';

export interface FrontDoorFacts {
  /** The event field serverless-http builds req.url from. */
  readonly pathField: 'path' | 'rawPath';
  /** True when the door hands over a decoded path. */
  readonly decodesPath: boolean;
  /** Payload format 2.0 (method in requestContext.http, single-value headers). */
  readonly v2: boolean;
}

export const FRONT_DOORS: Readonly<Record<FrontDoor, FrontDoorFacts>> = {
  'rest-api': { pathField: 'path', decodesPath: false, v2: false },
  'http-api': { pathField: 'rawPath', decodesPath: true, v2: true },
  'http-api-v1': { pathField: 'path', decodesPath: true, v2: false },
  'function-url': { pathField: 'rawPath', decodesPath: false, v2: true },
  alb: { pathField: 'path', decodesPath: false, v2: false },
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
