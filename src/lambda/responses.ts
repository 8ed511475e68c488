/**
 * The Lambda-side edges of a response.
 *
 * `rejection(...)`: the 400 for a path that cannot be normalised, shaped for the door that asked
 * (ALB with multi-value headers wants `multiValueHeaders`). It never reaches the app, so it
 * carries the app's security headers itself (kept equal to http/security-headers.ts by a test).
 *
 * `tidyResult(...)`: drops hop-by-hop headers from what serverless-http returns. The app sets
 * `Connection: close` when a client streams an unwanted body at the long-lived server; behind a
 * front door the connection is not the function's to close, and some doors refuse the header.
 * For an ALB it adds the `statusDescription` (the reason phrase) its response format names,
 * which serverless-http leaves out.
 */
import { STATUS_CODES } from 'node:http';
import type { FrontDoor, LambdaHttpEvent } from './front-door';

export type LambdaResult = Record<string, unknown>;

export const REJECTION_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
};

export function rejection(door: FrontDoor, event: LambdaHttpEvent, code: string, message: string): LambdaResult {
  const body = JSON.stringify({ error: code, message });
  const result: LambdaResult = { statusCode: 400, isBase64Encoded: false, body };
  if (door === 'alb') {
    result.statusDescription = statusDescription(400);
    // An ALB target group with multi-value headers on expects them back in that form.
    if (event.multiValueHeaders !== undefined) {
      result.multiValueHeaders = Object.fromEntries(Object.entries(REJECTION_HEADERS).map(([k, v]) => [k, [v]]));
      return result;
    }
  }
  result.headers = { ...REJECTION_HEADERS };
  return result;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function statusDescription(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

export function tidyResult(result: LambdaResult, door: FrontDoor): LambdaResult {
  if (door === 'alb' && typeof result.statusCode === 'number') result.statusDescription = statusDescription(result.statusCode);
  for (const field of ['headers', 'multiValueHeaders'] as const) {
    const headers = result[field];
    if (typeof headers !== 'object' || headers === null) continue;
    const kept = Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
    result[field] = Object.fromEntries(kept);
  }
  return result;
}
