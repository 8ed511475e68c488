/**
 * CORS for browser callers of the gateway. Preflights are answered here (a preflight can
 * never follow a redirect); origins come from configuration and are checked once per request
 * against a Set built at startup. Credentials travel in Authorization, never cookies, so
 * `Access-Control-Allow-Credentials` is not needed.
 */
import type { NextFunction, Request, Response } from 'express';

export const GATEWAY_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'OPTIONS'] as const;
const ALLOWED_REQUEST_HEADERS = 'authorization, content-type, if-none-match, range, x-upload-length';
const EXPOSED_HEADERS = 'Location, X-Request-Id, WWW-Authenticate, Retry-After';

export function cors(origins: readonly string[]) {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allows = (origin: string): boolean => any || allowed.has(origin);

  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origins.length > 0) res.vary('Origin');
    if (origin === undefined || !allows(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', GATEWAY_METHODS.join(', '));
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_REQUEST_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
