/**
 * `signpost serve`: loads configuration, starts the gateway (and the embedded store when no
 * bucket is configured), prints where it listens with curl examples, and shuts down
 * gracefully on SIGTERM/SIGINT.
 *
 * What a person sees first is the banner (stderr), then the log (JSON lines on stdout): lines
 * logged while starting are held until the banner is out, so in a terminal, where both streams
 * meet, the banner is never buried between log lines. If start-up fails the held lines are
 * written before the error, so nothing is lost.
 */
import pino from 'pino';
import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import { startServer, type RunningServer } from '../server';

/** A log destination that holds lines until `release()`, then writes straight through. */
export function heldLines(out: { write(line: string): unknown }): { write(line: string): void; release(): void } {
  let held: string[] | undefined = [];
  return {
    write: (line) => void (held ? held.push(line) : out.write(line)),
    release: () => {
      const lines = held ?? [];
      held = undefined;
      for (const line of lines) out.write(line);
    },
  };
}

export async function serve(): Promise<number> {
  const config = loadConfig();
  const log = heldLines(pino.destination({ dest: 1, sync: true }));
  const logger = createLogger(config.logLevel, log);
  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
  } catch (err) {
    log.release();
    throw err;
  }
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
      `Stop with Ctrl-C. The log follows (JSON lines on stdout; SIGNPOST_LOG_LEVEL=warn for less).`,
      ``,
    ].join('\n'),
  );
  log.release();

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
