/**
 * One structured log line per request: request id, method, path (never the query string, which
 * may carry tokens), status, action, principal, rule, latency. Presigned URLs, signatures and
 * credentials are never among the fields. Works on plain node:http objects, so the redirect fast
 * path and the express routes log the same way. The request id is sent back as `X-Request-Id` (http/security-headers.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flatLineLogger, type Logger } from '../log';

/** What handlers learn about a request, for its log line. */
export interface RequestFacts {
  readonly id: string;
  action?: string;
  principal?: string;
  rule?: string | null;
  denyReason?: string;
  errorCode?: string;
  /** What happened to a PUT body sent without Expect (body-uploads/): streamed, drained:<why>, cut:<why>, client_gone, storage_failed. */
  body?: string;
  bodyBytes?: number;
  /** The path to log instead of the request's, when the path itself carries a token (the Uppy endpoint). */
  logPath?: string;
}

const FACTS = Symbol('signpost.requestFacts');
type WithFacts = ServerResponse & { [FACTS]?: RequestFacts };

export function facts(res: ServerResponse): RequestFacts {
  return (res as WithFacts)[FACTS] ?? ((res as WithFacts)[FACTS] = { id: '' });
}

export type LogRequest = (req: IncomingMessage, res: ServerResponse) => RequestFacts;

/** @returns what starts the clock and the log line of one request; call it once per request, first. */
export function requestLog(parent: Logger): LogRequest {
  const logger = flatLineLogger(parent);
  return (req, res) => logRequest(logger, req, res);
}

function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): RequestFacts {
  const started = process.hrtime.bigint();
  const f: RequestFacts = { id: randomUUID() };
  (res as WithFacts)[FACTS] = f;
  let logged = false;
  // 'finish': the answer went out. 'close' without it: the connection ended first (a client that
  // went away mid-upload, a cut body), logged too, as 499 (nginx's "client closed request") when
  // no answer had begun.
  const log = (): void => {
    if (logged) return;
    logged = true;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const aborted = !res.writableFinished;
    const status = aborted && !res.headersSent ? 499 : res.statusCode;
    // Fields in a fixed order, absent ones as undefined (pino drops them): one object, no spreads.
    logger[status >= 500 ? 'error' : 'info'](
      {
        reqId: f.id,
        method: req.method,
        path: f.logPath ?? (q === -1 ? url : url.slice(0, q)),
        status,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1000) / 1000,
        action: f.action,
        principal: f.principal,
        rule: f.rule,
        denyReason: f.denyReason,
        error: f.errorCode,
        body: f.body,
        bodyBytes: f.bodyBytes,
        aborted: aborted || undefined,
      },
      'request',
    );
  };
  // `on`, not `once`: each fires once per response anyway, and once() wraps every listener in a
  // closure of its own, on every request.
  res.on('finish', log);
  // After the handlers' own 'close' work has filled in the facts; nothing to schedule once 'finish' logged.
  res.on('close', () => {
    if (!logged) setImmediate(log);
  });
  return f;
}
