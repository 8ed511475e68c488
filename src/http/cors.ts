/**
 * CORS for browser callers of the gateway. Preflights are answered here (a preflight can
 * never follow a redirect); origins come from configuration, checked against a Set built once.
 * Credentials travel in Authorization, never cookies, so no Allow-Credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const GATEWAY_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'OPTIONS'] as const;
const ALLOWED_REQUEST_HEADERS = 'authorization, content-type, if-none-match, range, x-upload-length'
  + ', uppy-versions, uppy-auth-token, uppy-credentials-params'; // what Uppy's Companion client may send
const EXPOSED_HEADERS = 'Location, X-Request-Id, WWW-Authenticate, Retry-After';

/** Returns a function that adds CORS headers and answers preflights (returning true when it did). */
export function cors(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (origins.length === 0) return () => false;
  const any = origins.includes('*');
  const allowed = new Set(origins);

  return (req, res) => {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !(any || allowed.has(origin))) return false;
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
    res.setHeader('Access-Control-Allow-Methods', GATEWAY_METHODS.join(', '));
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_REQUEST_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.statusCode = 204;
    res.end();
    return true;
  };
}
