/**
 * The long-lived HTTP server around the app. Its one job beyond listening: a `checkContinue`
 * listener, so a client that sends `Expect: 100-continue` (curl does on PUT) gets the 307
 * instead of `100 Continue` and sends the body to storage only; the gateway reads 0 body bytes.
 * On close it stops accepting, lets in-flight requests finish within a grace period, then
 * closes what is left and the embedded store. Start-up validates first, then binds the
 * gateway's port, then starts the store: a failure stops at the first step that fails, with
 * one line (http/listen.ts) and nothing left running.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema';
import { ConfigError } from './config/load';
import { DEFAULT_METRICS_PORT, listenForMetrics, type MetricsListener } from './http/metrics-endpoint';
import { answerParserError } from './http/parser-errors';
import { guardRequests, rejectExpectation } from './http/request-guard';
import type { Logger } from './log';
import { listenOn } from './http/listen';
import { isWildcard, prepareRuntime, type Runtime, type RuntimeOptions } from './runtime';

export interface RunningServer {
  readonly url: string;
  /** Where GET /metrics is served when metrics are on without a token (loopback only). */
  readonly metricsUrl?: string;
  readonly runtime: Runtime;
  readonly server: Server;
  /** Graceful: waits up to `config.shutdownGrace` seconds for in-flight requests. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: RuntimeOptions): Promise<RunningServer> {
  // Order matters for what a person sees when start-up fails: a bad configuration is refused
  // before anything listens, and a taken port before the store starts or anything is logged.
  // Share links need the gateway's own URL; without a configured one it is known only after listen.
  let listeningUrl: string | undefined;
  const prepared = await prepareRuntime(config, { publicUrl: () => listeningUrl, ...options });
  // requireHostHeader: false because guardRequests answers that 400 itself, with a JSON body.
  // The request timeout outlasts the longest body upload (bodyUploads.timeoutSeconds), which
  // body-uploads/ bounds itself, with a minimum pace; every other body is small and paced too.
  const requestTimeout = Math.max(60_000, config.bodyUploads.timeoutSeconds * 1000 + 30_000);
  const server = createServer({ requestTimeout, headersTimeout: 30_000, keepAliveTimeout: 5_000, requireHostHeader: false });
  server.on('checkExpectation', rejectExpectation);
  server.on('clientError', answerParserError);
  // Requests that arrive while the store starts wait for the app (milliseconds), never hang.
  const early: [IncomingMessage, ServerResponse][] = [];
  const hold = (req: IncomingMessage, res: ServerResponse) => void early.push([req, res]);
  server.on('request', hold);
  server.on('checkContinue', hold);
  await listenOn(server, { port: config.port, host: config.host, what: 'the gateway', portVariable: 'PORT' });

  let runtime: Runtime;
  try {
    runtime = await prepared.start();
  } catch (err) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  const handler = guardRequests(runtime.app);
  server.off('request', hold);
  server.off('checkContinue', hold);
  server.on('request', handler);
  // Routes that want a body (none of the redirects do) call res.writeContinue() themselves.
  server.on('checkContinue', handler);
  for (const [req, res] of early.splice(0)) handler(req, res);
  let metricsListener: MetricsListener | undefined;
  if (runtime.metrics && config.metricsToken === undefined) {
    try {
      metricsListener = await listenForMetrics(runtime.metrics, config.metricsPort ?? DEFAULT_METRICS_PORT);
    } catch (err) {
      server.close();
      await runtime.close();
      throw new ConfigError(`cannot serve metrics on 127.0.0.1:${config.metricsPort ?? DEFAULT_METRICS_PORT} (${(err as NodeJS.ErrnoException).code ?? String(err)}): set SIGNPOST_METRICS_PORT, or SIGNPOST_METRICS_TOKEN to serve them on the gateway's port`);
    }
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const logger: Logger = options.logger;
  if (!isWildcard(config.host)) listeningUrl = `http://${host}:${port}`;
  else if (config.publicUrl === undefined) logger.warn(`HOST ${config.host} is a wildcard address: share links answer their path only; set SIGNPOST_PUBLIC_URL (publicUrl) to the URL clients reach the gateway at`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        logger.warn('shutdown grace period over: closing remaining connections');
        server.closeAllConnections();
      }, config.shutdownGrace * 1000);
      // The gateway and the embedded store drain side by side, each within the grace period.
      await Promise.all([done.finally(() => clearTimeout(grace)), runtime.close(), metricsListener?.close()]);
      runtime.metrics?.stop();
    })());

  return { url: `http://${host}:${port}`, runtime, server, close, ...(metricsListener && { metricsUrl: metricsListener.url }) };
}
