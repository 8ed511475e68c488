/**
 * Checks the server makes before a request reaches the app, for what node:http would otherwise
 * answer itself with an empty body (or not at all): an over-long request target (414), an
 * HTTP/1.1 request without Host (400; Node's own check answers with no body) and an `Expect`
 * other than `100-continue` (417; Node's default answers with no body). Each answer is the
 * gateway's usual short JSON error with the security headers, and `Connection: close` since any
 * body is left unread.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security-headers';

/** The longest request target (path + query) the gateway accepts, in bytes. */
export const MAX_URL_BYTES = 8 * 1024;

function reject(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: code, message });
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.end(body);
}

export function guardRequests(app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    // req.url holds one code unit per byte received (latin1), so its length is the byte count.
    if ((req.url ?? '').length > MAX_URL_BYTES) return reject(res, 414, 'uri_too_long', `the request target is limited to ${MAX_URL_BYTES} bytes`);
    if (req.httpVersion === '1.1' && req.headers.host === undefined) return reject(res, 400, 'bad_request', 'HTTP/1.1 requests need a Host header');
    app(req, res);
  };
}

/** The server's `checkExpectation` listener: any `Expect` but `100-continue`. */
export function rejectExpectation(_req: IncomingMessage, res: ServerResponse): void {
  reject(res, 417, 'expectation_failed', 'only "Expect: 100-continue" is supported');
}
