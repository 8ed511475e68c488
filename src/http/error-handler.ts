/**
 * Renders every error as a short JSON body. HttpErrors carry their own status; errors from
 * express/body parsing keep their 4xx status; everything else is a bug: logged, 500, generic.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log';
import { HttpError } from './errors';
import { facts } from './request-log';

export function sendError(res: Response, error: HttpError): void {
  facts(res).errorCode = error.code;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(error.statusCode).set(error.headers);
  res.setHeader('Cache-Control', 'no-store');
  res.json(error.toJSON());
}

export function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof HttpError) return sendError(res, err);
    const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, new HttpError(status, 'bad_request', (err as Error).message || 'bad request'));
    }
    logger.error({ reqId: facts(res).id, err }, 'unhandled error');
    sendError(res, new HttpError(500, 'internal', 'internal error'));
  };
}
