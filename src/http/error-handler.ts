/**
 * Renders every error as a short JSON body on a plain node:http response. HttpErrors carry their
 * own status; errors from express/body parsing keep their 4xx status; everything else is a bug:
 * logged, 500, generic message.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../log';
import { HttpError } from './errors';
import { facts } from './request-log';

export function sendError(res: ServerResponse, error: HttpError): void {
  facts(res).errorCode = error.code;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  res.statusCode = error.statusCode;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Maps anything thrown to an HttpError, logging the ones that are bugs. */
export function toHttpError(err: unknown, res: ServerResponse, logger: Logger): HttpError {
  if (err instanceof HttpError) return err;
  const status = (err as { status?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', (err as Error).message || 'bad request');
  }
  logger.error({ reqId: facts(res).id, err }, 'unhandled error');
  return new HttpError(500, 'internal', 'internal error');
}

/** express's error-handling middleware (four arguments) around the same rendering. */
export function errorHandler(logger: Logger) {
  return (err: unknown, _req: unknown, res: ServerResponse, _next: unknown): void => sendError(res, toHttpError(err, res, logger));
}
