/**
 * Where `GET /metrics` is served, so that only the operator's scraper reads it (request counts,
 * latencies and memory say how busy and how big the gateway is; no keys or principals):
 *
 * - with a token (`SIGNPOST_METRICS_TOKEN`): on the gateway's own port, to callers presenting
 *   `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials_file: ... }`);
 *   everyone else gets 401. Compared as SHA-256 digests in constant time, so neither timing nor
 *   length tells a guesser anything.
 * - without one (the default): never on the gateway's port, only on a listener of its own on
 *   127.0.0.1 (`SIGNPOST_METRICS_PORT`, default 9464), reachable from the machine itself.
 * On Lambda there is no second port, so metrics there need the token (lambda/compose.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';
import { setSecurityHeaders } from './security-headers';

export const DEFAULT_METRICS_PORT = 9464;
const CHALLENGE = 'Bearer realm="signpost-metrics"';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether the request carries `Authorization: Bearer <token>` (scheme name case-insensitive). */
export function bearerMatches(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!), expected);
  };
}

/** The Prometheus text answer (or 401, when `allowed` says no). */
export function serveMetrics(metrics: Metrics, allowed: (req: IncomingMessage) => boolean): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const ok = allowed(req);
    const body = ok ? metrics.render() : JSON.stringify({ error: 'unauthorized', message: 'metrics need the metrics bearer token' });
    res.statusCode = ok ? 200 : 401;
    if (!ok) res.setHeader('WWW-Authenticate', CHALLENGE);
    res.setHeader('Content-Type', ok ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

/** A loopback-only listener serving GET /metrics and nothing else. */
export async function listenForMetrics(metrics: Metrics, port: number): Promise<MetricsListener> {
  const answer = serveMetrics(metrics, () => true);
  const server: Server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => {
    setSecurityHeaders(res);
    if ((req.method === 'GET' || req.method === 'HEAD') && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) return answer(req, res);
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: 'not_found', message: 'only GET /metrics is served here' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
