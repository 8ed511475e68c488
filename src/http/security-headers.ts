/**
 * Headers on everything the gateway answers. `Referrer-Policy: no-referrer` keeps a page from
 * leaking a presigned URL through Referer; the CSP locks down anything rendered from a JSON
 * body; nosniff stops browsers from guessing types. Answers that bypass the app (the request
 * guard's, the parser errors written straight to the socket in server.ts) use the same list.
 */
import type { ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
};

const HEADERS = Object.entries(SECURITY_HEADERS);

/** The same headers as raw HTTP/1.1 lines (each ending in CRLF), for answers written to a socket. */
export const SECURITY_HEADER_LINES = HEADERS.map(([name, value]) => `${name}: ${value}\r\n`).join('');

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of HEADERS) res.setHeader(name, value);
}
