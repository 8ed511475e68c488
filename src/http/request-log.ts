/**
 * One structured log line per request: request id, method, path (never the query string, which
 * may carry tokens), status, action, latency. Presigned URLs, signatures and credentials are
 * never among the fields. The request id is also sent back as `X-Request-Id`.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log';

export interface RequestFacts {
  id: string;
  action?: string;
  mount?: string;
  principal?: string;
  rule?: string | null;
  denyReason?: string;
  errorCode?: string;
}

export function facts(res: Response): RequestFacts {
  return res.locals as RequestFacts;
}

export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    res.locals.id = id;
    res.setHeader('X-Request-Id', id);
    res.once('finish', () => {
      const f = facts(res);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.originalUrl || req.url).split('?', 1)[0];
      const level = res.statusCode >= 500 ? 'error' : 'info';
      logger[level]({
        reqId: id,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(ms * 1000) / 1000,
        ...(f.action !== undefined && { action: f.action }),
        ...(f.principal !== undefined && { principal: f.principal }),
        ...(f.rule !== undefined && { rule: f.rule }),
        ...(f.denyReason !== undefined && { denyReason: f.denyReason }),
        ...(f.errorCode !== undefined && { error: f.errorCode }),
      }, 'request');
    });
    next();
  };
}
