/**
 * Headers on everything the gateway answers. `Referrer-Policy: no-referrer` keeps a page from
 * leaking a presigned URL through Referer; the CSP locks down anything rendered from a JSON
 * body; nosniff stops browsers from guessing types.
 */
import type { ServerResponse } from 'node:http';

const HEADERS: readonly (readonly [string, string])[] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Frame-Options', 'DENY'],
];

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of HEADERS) res.setHeader(name, value);
}
