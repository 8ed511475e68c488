/**
 * What to do with a request body the gateway never wants. It is never buffered.
 * - Sent without `Expect: 100-continue`: a small body is read and dropped so the connection can
 *   be reused. Past the limit, a lingering close: the answer goes out, what the client already
 *   sent is read and dropped for at most LINGER_MS / LINGER_BYTES, then the connection is dropped,
 *   so a client streaming gigabytes at the gateway stops instead of pushing them all through.
 *   Dropping it at once (Connection: close) left unread bytes in the kernel, which answers them
 *   with a reset that can destroy the 307 before a busy client has read it (seen in CI: curl
 *   reported no answer at all).
 * - Announced with `Expect: 100-continue`: the 307 goes out instead of `100 Continue`, so the
 *   body never comes; the answer says `Connection: close`, since the client may or may not send
 *   the body now (RFC 9110 §10.1.1) and the next bytes on this connection are ambiguous.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_LIMIT_BYTES = 64 * 1024;
const LINGER_MS = 2000;
const LINGER_BYTES = 4 * 1024 * 1024;

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
    // No `Connection: close`: node would close the socket the moment the answer is written. The
    // server reads and drops the rest of the body after the answer (node's own dump of an
    // unread body); these bound it. A client that read the 307 stops sending and closes first.
    res.once('finish', () => {
      const socket = req.socket;
      let seen = 0;
      const drop = (): void => {
        clearTimeout(timer);
        socket.off('data', count);
        socket.destroy();
      };
      const count = (chunk: Buffer): void => {
        seen += chunk.length;
        if (seen > LINGER_BYTES) drop();
      };
      const timer = setTimeout(drop, LINGER_MS).unref();
      socket.on('data', count);
      socket.once('close', () => clearTimeout(timer));
      // The whole body arrived after all: the connection is clean and stays open for the next request.
      req.once('end', () => {
        clearTimeout(timer);
        socket.off('data', count);
      });
    });
  } else {
    req.resume();
  }
}
