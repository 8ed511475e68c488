/**
 * Response plumbing shared by all handlers: the headers every answer carries (request id,
 * CORS for capability URLs, no-sniff/sandbox so an uploaded HTML or SVG never runs as a page),
 * XML and error bodies, the CORS preflight, and the safe way to end a connection whose request
 * body we chose not to read (reply, half-close, keep draining briefly, then close: closing at
 * once would reset the connection and could destroy the reply before the client reads it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { S3Error } from './errors';
import { hasBody } from './request';
import { XML_DECL, errorXml } from './xml';

const EXPOSE_HEADERS = [
  'ETag',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Cache-Control',
  'Expires',
  'Last-Modified',
  'Accept-Ranges',
  'x-amz-request-id',
  'x-amz-id-2',
].join(', ');
const ALLOW_METHODS = 'GET, HEAD, PUT, POST, DELETE';
const TOKEN_LIST = /^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*\s*$/;
const LINGER_MS = 2000;

export function setCommonHeaders(res: ServerResponse, requestId: string): void {
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', requestId);
  res.setHeader('Server', 'SignpostEmbeddedS3');
  // Presigned URLs are capabilities (no cookies), so any origin may use them, including the
  // `null` origin a browser sends after a cross-origin redirect.
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', 'sandbox');
}

export function sendXml(res: ServerResponse, status: number, body: string, headOnly = false): void {
  const buf = Buffer.from(XML_DECL + body, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', buf.length);
  if (headOnly) res.end();
  else res.end(buf);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  if (status !== 204 && status !== 304) res.setHeader('Content-Length', 0);
  res.end();
}

/**
 * Answers an error. Called with whatever was thrown; never throws. If a body is still on the
 * wire (we rejected before reading it, e.g. Expect: 100-continue without the 100), the
 * connection is closed after the reply, lingering so the client can read it.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, err: S3Error, resource: string, requestId: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  try {
    for (const name of res.getHeaderNames()) {
      if (!/^(x-amz-request-id|x-amz-id-2|access-control-|server$|x-content-type-options$|content-security-policy$)/.test(name)) res.removeHeader(name);
    }
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    if (hasBody(req) && !req.complete) {
      res.setHeader('Connection', 'close');
      lingerOnClose(req.socket);
    }
    const headOnly = req.method === 'HEAD';
    if (err.status === 304) sendEmpty(res, 304);
    else sendXml(res, err.status, errorXml(err.code, err.message, resource, requestId, err.extra), headOnly);
  } catch {
    res.destroy();
  }
}

/**
 * Node ends a `Connection: close` response with socket.destroySoon(), which destroys the socket
 * as soon as our FIN is out; any request bytes still arriving then trigger a TCP reset that can
 * discard the reply on the client side. Instead: half-close, keep reading (node discards the
 * unread request body), and destroy when the client closes or after LINGER_MS.
 */
function lingerOnClose(socket: Socket): void {
  const s = socket as Socket & { destroySoon?: () => void };
  s.destroySoon = () => {
    s.end();
    const timer = setTimeout(() => s.destroy(), LINGER_MS);
    timer.unref();
    s.once('close', () => clearTimeout(timer));
  };
}

/** CORS preflight: answered here, never redirected (a browser cannot follow one). */
export function preflight(req: IncomingMessage, res: ServerResponse): void {
  const method = req.headers['access-control-request-method'];
  const requested = req.headers['access-control-request-headers'];
  if (method !== undefined && !ALLOW_METHODS.split(', ').includes(method.trim().toUpperCase())) {
    res.statusCode = 403;
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
  if (requested !== undefined && TOKEN_LIST.test(requested)) res.setHeader('Access-Control-Allow-Headers', requested.trim());
  if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
  res.setHeader('Access-Control-Max-Age', '3600');
  res.setHeader('Allow', `${ALLOW_METHODS}, OPTIONS`);
  sendEmpty(res, 200);
}

export function toHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
