/**
 * CORS for browser callers of the gateway. Preflights are answered here (a preflight can
 * never follow a redirect); origins come from configuration, checked against a Set built once.
 * Credentials travel in Authorization, never cookies, so no Allow-Credentials. The allowed
 * methods and request headers are fixed lists given by the caller (createApp: what the OpenAPI
 * document says clients send, plus the headers a backend requires on uploads), never the
 * request's own echoed, so what a browser may send is documented and tested
 * (test/http/cors.test.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Response headers a cross-origin script may read: where a redirect goes, why a refusal, when to retry, what is allowed. */
export const EXPOSED_HEADERS = ['Location', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After', 'Allow'] as const;

export interface CorsOptions {
  readonly methods: readonly string[];
  /** Request headers a page may send (any case; compared lowercase by browsers). */
  readonly requestHeaders: readonly string[];
}

/** Returns a function that adds CORS headers and answers preflights (returning true when it did). */
export function cors(origins: readonly string[], options: CorsOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (origins.length === 0) return () => false;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allowHeaders = [...new Set(options.requestHeaders.map((h) => h.toLowerCase()))].join(', ');
  const exposeHeaders = EXPOSED_HEADERS.join(', ');
  const allowMethods = options.methods.join(', ');

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
