/**
 * Lambda events as each front door builds them from one client request, including what the door
 * does to the path on the way (see src/lambda/front-door.ts for the sources). Tests describe a
 * request once, as the client sends it, and run it through every door.
 *
 * HTTP API path model (fits every live capture in hotsock/voker ingress-paths.json): decode
 * once (malformed -> the door answers 400 itself), cut at the first `?`, decode again
 * (malformed -> 400). So `%3F` truncates, `%252F` arrives as `/`, `%2525` as `%`.
 */
import type { LambdaHttpEvent } from '../../../src/lambda/front-door';

export interface ClientRequest {
  readonly method: string;
  /** The request target's path as the client puts it on the wire (percent-encoded). */
  readonly path: string;
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** The address the client connects from (default 192.0.2.10). An ALB appends it to X-Forwarded-For. */
  readonly sourceIp?: string;
}

export const DOORS = ['rest-api', 'http-api', 'http-api-v1', 'function-url', 'alb', 'alb-multi-value'] as const;
export type Door = (typeof DOORS)[number];

/** What the door delivers, or that the door itself refused the request (API Gateway's 400). */
export type DoorOutcome = { readonly kind: 'event'; readonly event: LambdaHttpEvent } | { readonly kind: 'door-rejected' };

export function httpApiPath(wirePath: string): string | undefined {
  const once = decode(wirePath);
  if (once === undefined) return undefined;
  return decode(once.split('?', 1)[0]!);
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export function eventFor(door: Door, req: ClientRequest): DoorOutcome {
  // Raw UTF-8 a client puts on the wire arrives in the event as Unicode text, so a non-ASCII
  // character in `req.path` stands for its raw bytes.
  const path = door === 'http-api' || door === 'http-api-v1' ? httpApiPath(req.path) : req.path;
  if (path === undefined) return { kind: 'door-rejected' };
  const sourceIp = req.sourceIp ?? '192.0.2.10';
  const headers = { host: hostFor(door), ...(req.headers ?? {}) };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  // An ALB (in its default `append` mode) adds the connecting address to what the client sent.
  const forwarded = lower['x-forwarded-for'];
  const albHeaders = { ...lower, 'x-forwarded-for': forwarded === undefined ? sourceIp : `${forwarded}, ${sourceIp}` };
  const body = req.body && req.body.length > 0 ? req.body.toString('base64') : undefined;
  const query = req.query ?? '';
  const params = Object.fromEntries(new URLSearchParams(query));

  switch (door) {
    case 'http-api':
    case 'function-url':
      return {
        kind: 'event',
        event: {
          version: '2.0',
          routeKey: '$default',
          rawPath: path,
          rawQueryString: query,
          headers: lower,
          ...(query && { queryStringParameters: params }),
          requestContext: {
            accountId: '123456789012',
            apiId: door === 'http-api' ? 'abc123' : 'urlid123',
            domainName: hostFor(door),
            http: { method: req.method, path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'curl/7.88.1' },
            requestId: 'req-1',
            routeKey: '$default',
            stage: '$default',
          },
          ...(body !== undefined ? { body, isBase64Encoded: true } : { isBase64Encoded: false }),
        },
      };
    case 'rest-api':
    case 'http-api-v1':
      return {
        kind: 'event',
        event: {
          ...(door === 'http-api-v1' && { version: '1.0' }),
          resource: '/{proxy+}',
          path,
          httpMethod: req.method,
          headers,
          multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
          queryStringParameters: query ? params : null,
          multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [v]])) : null,
          requestContext: { stage: 'prod', requestId: 'req-1', domainName: hostFor(door), httpMethod: req.method, path: `/prod${path}`, identity: { sourceIp } },
          body: body ?? null,
          isBase64Encoded: body !== undefined,
        },
      };
    case 'alb':
    case 'alb-multi-value': {
      // ALB passes the query still encoded; serverless-http decodes it.
      const rawParams = Object.fromEntries(query.split('&').filter(Boolean).map((p) => p.split('=', 2) as [string, string]));
      const multi = door === 'alb-multi-value';
      return {
        kind: 'event',
        event: {
          requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/signpost/abc' } },
          httpMethod: req.method,
          path,
          ...(multi
            ? { multiValueHeaders: Object.fromEntries(Object.entries(albHeaders).map(([k, v]) => [k, [v]])), multiValueQueryStringParameters: Object.fromEntries(Object.entries(rawParams).map(([k, v]) => [k, [v]])) }
            : { headers: albHeaders, queryStringParameters: rawParams }),
          body: body ?? '',
          isBase64Encoded: body !== undefined,
        },
      };
    }
  }
}

function hostFor(door: Door): string {
  if (door === 'function-url') return 'urlid123.lambda-url.us-east-1.on.aws';
  if (door === 'alb' || door === 'alb-multi-value') return 'signpost-123.us-east-1.elb.amazonaws.com';
  return 'abc123.execute-api.us-east-1.amazonaws.com';
}

/** Response headers, lower-cased, from either header shape. */
export function headersOf(result: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const single = result.headers as Record<string, string> | undefined;
  const multi = result.multiValueHeaders as Record<string, string[]> | undefined;
  for (const [k, v] of Object.entries(multi ?? {})) out[k.toLowerCase()] = v.join(', ');
  for (const [k, v] of Object.entries(single ?? {})) out[k.toLowerCase()] = v;
  return out;
}
