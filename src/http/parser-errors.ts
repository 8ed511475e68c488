/**
 * The server's `clientError` listener: what node:http's parser refuses (a malformed request,
 * headers over 16 KiB, a request or header block that took too long) never reaches the app, so
 * the answer is written straight to the socket: the gateway's short JSON error with the same
 * security headers as every other answer, then the connection is closed. A socket that is gone,
 * or whose response has already begun, is destroyed instead (raw bytes would corrupt it).
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SECURITY_HEADER_LINES } from './security-headers';

const STATUS_OF: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export function answerParserError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!socket.writable || err.code === 'ECONNRESET' || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const status = STATUS_OF[err.code ?? ''] ?? '400 Bad Request';
  const body = JSON.stringify({ error: 'bad_request', message: status.slice(4) });
  socket.end(
    `HTTP/1.1 ${status}\r\n${SECURITY_HEADER_LINES}Cache-Control: no-store\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
