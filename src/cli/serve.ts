/**
 * `signpost serve`: loads configuration, starts the gateway (and the embedded store when no
 * bucket is configured), prints where it listens with curl examples, and shuts down
 * gracefully on SIGTERM/SIGINT.
 */
import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import { startServer } from '../server';

export async function serve(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, { logger });
  const { mounts, store } = running.runtime;
  const mount = mounts[0]!;
  const example = `${running.url}${mount.path}/hello.txt`;
  const where = store ? `embedded store at ${store.url} (data in ${config.dataDir})` : `bucket ${mount.bucket} (${config.storage.kind})`;
  const policy = running.runtime.access.policy
    ? `  policy:  ${running.runtime.access.policy.ruleCount} rules from ${typeof config.policy === 'string' ? config.policy : 'the config file'}`
    : `  WARNING: no policy configured: anyone who can reach ${running.url} may read, write and delete.`;
  console.error(
    [
      ``,
      `Signpost is listening on ${running.url}`,
      `  browser: open ${running.url}/ to browse, upload and share files`,
      `  storage: ${where}`,
      `  mounts:  ${mounts.map((m) => `${m.path}/ -> ${m.bucket}/${m.prefix}`).join(', ')}`,
      policy,
      ...(running.metricsUrl ? [`  metrics: ${running.metricsUrl} (loopback only)`] : config.metrics ? [`  metrics: ${running.url}/metrics with Authorization: Bearer <SIGNPOST_METRICS_TOKEN>`] : []),
      ``,
      `Try it:`,
      `  echo hello > hello.txt`,
      `  curl -L --upload-file hello.txt ${example}`,
      `  curl -L ${example}`,
      `  curl -I -L ${example}`,
      `  curl -L -X DELETE ${example}`,
      ``,
    ].join('\n'),
  );

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      running.close().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
