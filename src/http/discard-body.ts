/**
 * What to do with a request body the gateway does not want. It is never buffered.
 * - Sent without `Expect: 100-continue` (python requests, urllib, HTTPie, wget, fetch): such
 *   clients write the whole body before they read a byte of the answer, so the answer goes out
 *   and the rest of the body is read and dropped, for at most `limits.bytes` / `limits.ms`. A
 *   body that fits is read to its end and the connection stays open; past a limit the
 *   connection is dropped, so a client streaming gigabytes at the gateway stops.
 *   Reading goes through node's own dump of an unread body, with the request stream flowing;
 *   the limits are checked by polling `socket.bytesRead`. A `'data'` listener on the socket
 *   instead stopped node from reading at all (the parser owns the socket), so write-then-read
 *   clients got a reset and never saw the answer; closing at once (`Connection: close`) leaves
 *   unread bytes that the kernel answers with a reset, which can destroy the answer too.
 * - Announced with `Expect: 100-continue`: the answer goes out instead of `100 Continue`, so the
 *   body never comes; the answer says `Connection: close`, since the client may or may not send
 *   the body now (RFC 9110 §10.1.1) and the next bytes on this connection are ambiguous.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyPace, watchBodyPace } from './body-pace';

export interface DrainLimits {
  /** Body bytes read and dropped, at most. */
  readonly bytes: number;
  /** Milliseconds spent doing so, at most. */
  readonly ms: number;
  /** For long drains: the body must keep moving too. */
  readonly pace?: BodyPace;
}

/** Enough for a write-then-read client's small upload to see its answer; little for anyone else. */
export const DEFAULT_DRAIN: DrainLimits = { bytes: 4 * 1024 * 1024, ms: 10_000 };
const POLL_MS = 25;

export function expectsContinue(req: IncomingMessage): boolean {
  const expect = req.headers.expect;
  return expect !== undefined && /100-continue/i.test(expect);
}

/** Whether the request's framing announces a body (a `Content-Length` other than 0, or any `Transfer-Encoding`). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Call before the response is sent: the body is read from now on, beside the work on the answer. */
export function discardUnwantedBody(req: IncomingMessage, res: ServerResponse, limits: DrainLimits = DEFAULT_DRAIN): void {
  // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3); node
  // marks it complete only after the handler ran, so without this check every GET would start a
  // drain: a timer and four listeners per request, one of them on the keep-alive socket.
  if (req.complete || !hasBody(req)) return;
  if (expectsContinue(req)) {
    res.setHeader('Connection', 'close');
    return;
  }
  drain(req, res, limits);
}

/**
 * Reads and drops `req`'s body within `limits`. Past a limit, reading stops; once the answer is
 * out, the connection is dropped (never before: the client must get to read it). Reading starts
 * at once, not after the answer: measured with a 4 KiB send buffer, 4 MB arrived in ~0.05 s when
 * reading began before the answer was written and in ~2 s when it began after.
 */
function drain(req: IncomingMessage, res: ServerResponse, limits: DrainLimits): void {
  const socket = req.socket;
  const start = socket.bytesRead;
  const started = Date.now();
  let cut = false;
  const cutNow = (): void => {
    stop();
    cut = true;
    if (res.writableFinished) socket.destroy();
    else req.pause();
  };
  const stopPace = limits.pace ? watchBodyPace(req, limits.pace, cutNow) : undefined;
  const stop = (): void => {
    clearInterval(poll);
    stopPace?.();
    socket.off('close', stop); // the socket outlives the request on keep-alive
  };
  const poll = setInterval(() => {
    if (socket.bytesRead - start > limits.bytes || Date.now() - started > limits.ms) cutNow();
  }, POLL_MS);
  poll.unref();
  req.once('end', stop);
  socket.once('close', stop);
  res.once('finish', () => {
    if (cut && !req.complete) socket.destroy();
  });
  req.resume();
}
