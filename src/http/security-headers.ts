/**
/**
 * Headers on everything the gateway answers: the security headers and the request's id.
 * `Referrer-Policy: no-referrer` keeps a page from leaking a presigned URL through Referer; the
 * CSP locks down anything rendered from a JSON body; nosniff stops browsers from guessing types.
 * Answers that bypass the app (the request guard's, the parser errors written straight to the
 * socket in server.ts) use the same list.
 *
 * Two ways to send them, the same headers either way: `setSecurityHeaders` when the request
 * arrives (every route but the plain redirect), and `writeRedirect`, the redirect's whole head
 * in one `writeHead`. Node's per-header `setHeader` path (validate, lower-case, store, then
 * serialise from the store) cost the redirect about a quarter more CPU than one `writeHead` with
 * the same headers (bench/hotpath.ts, diagnostic rows); app.ts sets the headers eagerly for a
 * plain redirect only when it answers with an error instead.
 */
import type { ServerResponse } from 'node:http';

export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
} as const;
const NAMES = Object.keys(SECURITY_HEADERS) as (keyof typeof SECURITY_HEADERS)[];

/** The same headers as raw HTTP/1.1 lines (each ending in CRLF), for answers written to a socket. */
export const SECURITY_HEADER_LINES = NAMES.map((name) => `${name}: ${SECURITY_HEADERS[name]}\r\n`).join('');

export function setSecurityHeaders(res: ServerResponse, requestId?: string): void {
  for (const name of NAMES) res.setHeader(name, SECURITY_HEADERS[name]);
  if (requestId !== undefined) res.setHeader('X-Request-Id', requestId);
}

/**
 * Answers 307 to `location` (no-store) with the security headers and the request id, and a
 * one-line text body naming the Location, so a client that does not follow redirects (curl
 * without -L) prints it instead of nothing at all. The Location is a presigned URL, all ASCII,
 * so its length is its byte count.
 */
export function writeRedirect(res: ServerResponse, requestId: string, location: string): void {
  const body = `Redirecting to ${location} (curl: add -L to follow redirects)\n`;
  // One object literal, which V8 builds from a template; a spread of the headers cost 5% of the
  // redirect's CPU samples. Without headers set before, node serialises this object as is; with
  // some (CORS, Connection), writeHead merges it into them: the same answer either way.
  res.writeHead(307, {
    'X-Content-Type-Options': SECURITY_HEADERS['X-Content-Type-Options'],
    'Referrer-Policy': SECURITY_HEADERS['Referrer-Policy'],
    'Content-Security-Policy': SECURITY_HEADERS['Content-Security-Policy'],
    'X-Frame-Options': SECURITY_HEADERS['X-Frame-Options'],
    'X-Request-Id': requestId,
    Location: location,
    'Cache-Control': 'no-store',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
  });
  res.end(body);
}
