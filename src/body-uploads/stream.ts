/**
 * Streams one PUT body from the client to storage on a presigned URL and answers the client
 * with storage's answer. Never buffered: the request is piped into the storage request, with
 * node's backpressure between them. Storage is asked `Expect: 100-continue` first, so a refusal
 * (a bad signature, 412 on create-only) costs no body bytes on that side.
 * - Storage answers before the body is through (a refusal): the client's rest is read and
 *   dropped within the default drain, so a write-then-read client gets to read the answer.
 * - The client goes away mid-body: the storage request is destroyed, so storage never receives
 *   the declared length and keeps nothing (S3 discards it; the embedded store removes its temp file).
 * - The body stalls (http/body-pace.ts) or exceeds the time bound: 408, and the storage request is destroyed.
 * - Storage fails or cannot be reached: 502 `storage_error`.
 * Only status, ETag and a few identifying headers of storage's answer are passed on; the URL
 * is never logged.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type BodyPace, watchBodyPace } from '../http/body-pace';
import { discardUnwantedBody } from '../http/discard-body';
import { sendError } from '../http/error-handler';
import { HttpError } from '../http/errors';
import { facts } from '../http/request-log';
import type { Logger } from '../log';

export interface StreamTarget {
  readonly url: string;
  /** The headers storage needs: the signed ones and a backend's required ones. */
  readonly headers: Readonly<Record<string, string>>;
  readonly contentLength: number;
}

export type StreamOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly bytes: number }
  | { readonly kind: 'client_gone'; readonly bytes: number }
  | { readonly kind: 'cut'; readonly why: string; readonly bytes: number }
  | { readonly kind: 'storage_failed'; readonly bytes: number };

export interface StorageStreamer {
  stream(req: IncomingMessage, res: ServerResponse, target: StreamTarget): Promise<StreamOutcome>;
}

/** Client headers storage honours on a PUT that a redirected client would also have sent it. */
const PASSED_REQUEST_HEADERS = ['content-md5', 'content-disposition', 'content-encoding', 'content-language', 'cache-control'];
/** Storage's answer headers the client sees. */
const PASSED_RESPONSE_HEADERS = ['etag', 'last-modified', 'content-type', 'x-amz-version-id', 'x-amz-request-id', 'x-amz-id-2', 'x-ms-request-id', 'x-ms-version-id', 'x-ms-content-crc64'];
/** How long storage may take to say `100 Continue` before the body goes anyway (what curl waits). */
const CONTINUE_WAIT_MS = 1000;

export interface StreamerOptions {
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly pace: BodyPace;
  readonly logger: Logger;
}

export function createStorageStreamer(options: StreamerOptions): StorageStreamer {
  // Kept-alive connections to storage; idle ones are dropped after 4 s, before storage drops them
  // (the embedded store after 5 s, S3 after ~20 s), so a reused one is not already closed.
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: options.concurrency, timeout: 4000 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: options.concurrency, timeout: 4000 }),
  };
  return {
    stream: (req, res, target) =>
      new Promise((resolve) => {
        const url = new URL(target.url);
        const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const headers: Record<string, string> = { ...target.headers, 'content-length': String(target.contentLength) };
        for (const name of PASSED_REQUEST_HEADERS) {
          const v = req.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        const hasBody = target.contentLength > 0;
        if (hasBody) headers.expect = '100-continue';
        const upstream = send(url, { method: 'PUT', agent, headers });
        let sent = 0;
        const bytes = (): number => sent;

        let settled = false;
        let answered = false;
        let piping = false;
        const settle = (outcome: StreamOutcome): void => {
          if (settled) return;
          settled = true;
          // Into the request's log line (written when the answer finishes, so before res.end()).
          const f = facts(res);
          f.body = outcome.kind === 'answered' ? 'streamed' : outcome.kind === 'cut' ? `cut:${outcome.why}` : outcome.kind;
          f.bodyBytes = outcome.bytes;
          clearTimeout(continueWait);
          clearTimeout(deadline);
          stopPace();
          resolve(outcome);
        };
        /** Ends the transfer with our own error answer (or a closed connection if an answer has begun). */
        const fail = (error: HttpError, outcome: StreamOutcome): void => {
          if (settled || answered) return;
          req.unpipe(upstream);
          upstream.destroy();
          if (res.headersSent) res.destroy();
          else if (outcome.kind === 'cut') {
            res.setHeader('Connection', 'close');
            sendError(res, error);
          } else {
            discardUnwantedBody(req, res);
            sendError(res, error);
          }
          settle(outcome);
        };
        const begin = (): void => {
          if (piping || settled || answered) return;
          piping = true;
          req.on('data', (chunk: Buffer) => (sent += chunk.length)); // beside pipe's own listener, only once piping
          req.pipe(upstream);
        };

        const continueWait = hasBody ? setTimeout(begin, CONTINUE_WAIT_MS) : undefined;
        if (hasBody) upstream.on('continue', begin);
        else {
          upstream.end();
          req.resume();
        }
        const stopPace = watchBodyPace(req, options.pace, (why) => fail(new HttpError(408, 'body_too_slow', `the upload body stopped moving (${why === 'idle' ? 'no bytes for too long' : 'too slow'})`), { kind: 'cut', why, bytes: bytes() }));
        const deadline = setTimeout(() => fail(new HttpError(408, 'body_timeout', `the upload took longer than ${options.timeoutMs / 1000} s`), { kind: 'cut', why: 'timeout', bytes: bytes() }), options.timeoutMs);
        deadline.unref();

        req.on('close', () => {
          if (req.complete || settled || answered) return;
          upstream.destroy();
          settle({ kind: 'client_gone', bytes: bytes() });
        });
        upstream.on('response', (answer) => {
          answered = true;
          clearTimeout(continueWait);
          clearTimeout(deadline);
          stopPace();
          if (!req.complete) {
            // Storage refused before the body was through: stop sending it, let the client read the answer.
            req.unpipe(upstream);
            discardUnwantedBody(req, res);
          }
          res.statusCode = answer.statusCode ?? 502;
          for (const name of PASSED_RESPONSE_HEADERS) {
            const v = answer.headers[name];
            if (typeof v === 'string') res.setHeader(name, v);
          }
          const length = answer.headers['content-length'];
          if (length !== undefined) res.setHeader('Content-Length', length);
          res.setHeader('Cache-Control', 'no-store');
          answer.pipe(res, { end: false });
          answer.once('end', () => {
            if (!req.complete) upstream.destroy(); // never reuse a connection with an unfinished body
            settle({ kind: 'answered', status: res.statusCode, bytes: bytes() });
            res.end();
          });
          answer.once('error', () => {
            res.destroy();
            settle({ kind: 'storage_failed', bytes: bytes() });
          });
        });
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (answered || settled) return;
          options.logger.warn({ code: err.code, host: url.host }, 'streaming an upload to storage failed');
          fail(new HttpError(502, 'storage_error', 'storage did not take the upload; try again'), { kind: 'storage_failed', bytes: bytes() });
        });
      }),
  };
}
