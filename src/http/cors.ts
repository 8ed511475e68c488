/**
 * CORS for browser callers of the gateway. Preflights are answered here (a preflight can
 * never follow a redirect); origins come from configuration, checked against a Set built once.
 * Credentials travel in Authorization, never cookies, so no Allow-Credentials. The allowed
 * request headers are a fixed list (not the request's own, echoed), so what a browser may send
 * is documented and tested (test/http/cors.test.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const GATEWAY_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'OPTIONS'] as const;
/**
 * Every request header the page (src/web/page) and the documented APIs (routes/, openapi.ts)
 * send that is not always CORS-safelisted: credentials, upload sizes and types (tickets and
 * multipart), create-only, JSON bodies, ranges, and Accept (only safelisted while short).
 */
export const ALLOWED_REQUEST_HEADERS = ['authorization', 'content-type', 'if-none-match', 'range', 'accept', 'x-upload-length', 'x-upload-content-type',
  'uppy-versions', 'uppy-auth-token', 'uppy-credentials-params', // what Uppy's Companion client may send
] as const;
/** Response headers a cross-origin script may read: where a redirect goes, why a refusal, when to retry, what is allowed. */
export const EXPOSED_HEADERS = ['Location', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After', 'Allow'] as const;

export interface CorsOptions {
  /** More request headers to allow: the ones a backend requires on uploads (Azure's x-ms-blob-type). */
  readonly requestHeaders?: readonly string[];
}

/** Returns a function that adds CORS headers and answers preflights (returning true when it did). */
export function cors(origins: readonly string[], options: CorsOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (origins.length === 0) return () => false;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allowHeaders = [...new Set([...ALLOWED_REQUEST_HEADERS, ...(options.requestHeaders ?? []).map((h) => h.toLowerCase())])].join(', ');
  const exposeHeaders = EXPOSED_HEADERS.join(', ');
  const allowMethods = GATEWAY_METHODS.join(', ');

  return (req, res) => {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !(any || allowed.has(origin))) return false;
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    res.setHeader('Access-Control-Expose-Headers', exposeHeaders);
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
    res.setHeader('Access-Control-Allow-Methods', allowMethods);
    res.setHeader('Access-Control-Allow-Headers', allowHeaders);
    res.setHeader('Access-Control-Max-Age', '600');
    res.statusCode = 204;
    res.end();
    return true;
  };
}
