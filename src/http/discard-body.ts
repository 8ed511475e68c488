/**
 * What to do with a request body the gateway never wants. It is never buffered.
 * - Sent without `Expect: 100-continue`: a small body is read and dropped so the connection can
 *   be reused; past the limit the connection is closed, so a client streaming gigabytes at the
 *   gateway stops instead of pushing them all through.
 * - Announced with `Expect: 100-continue`: the 307 goes out instead of `100 Continue`, so the
 *   body never comes; the answer says `Connection: close`, since the client may or may not send
 *   the body now (RFC 9110 §10.1.1) and the next bytes on this connection are ambiguous.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_LIMIT_BYTES = 64 * 1024;

/** Call before the response is sent. */
export function discardUnwantedBody(req: IncomingMessage, res: ServerResponse): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const expectsContinue = /100-continue/i.test(req.headers.expect ?? '');
  if (req.readableEnded) return; // no body, or already consumed
  if (expectsContinue) {
    if (length > 0 || req.headers['transfer-encoding'] !== undefined) res.setHeader('Connection', 'close');
    return;
  }
  if (length > DRAIN_LIMIT_BYTES || req.headers['transfer-encoding'] !== undefined) {
    res.setHeader('Connection', 'close');
    res.once('finish', () => {
      // Not read: the client's window fills and it stalls. Give it a moment to read the answer
      // (curl then stops sending), then drop the connection.
      setTimeout(() => req.destroy(), 500).unref();
    });
  } else {
    req.resume();
  }
}
