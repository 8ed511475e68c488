/**
 * What to do with a request body the gateway never wanted (a PUT sent without
 * `Expect: 100-continue`). It is never buffered: a small one is read and dropped so the
 * connection can be reused; past the limit the connection is closed, so a client streaming
 * gigabytes at the gateway stops instead of pushing them all through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_LIMIT_BYTES = 64 * 1024;

/** Call before the response is sent. */
export function discardUnwantedBody(req: IncomingMessage, res: ServerResponse): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const expectsContinue = /100-continue/i.test(req.headers.expect ?? '');
  if (expectsContinue || req.readableEnded) return; // body not sent (yet) or already consumed
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
