#!/usr/bin/env node
/**
 * The `signpost` command. Thin: parses arguments, loads configuration, and hands over to
 * server.ts. `signpost serve` (the default) starts the gateway and, with no bucket configured,
 * the embedded store.
 */
import { loadConfig, ConfigError } from './config/load';
import type { Config } from './config/schema';
import { createLogger } from './log';
import { startServer } from './server';

const USAGE = `usage: signpost [serve]

  serve   start the gateway (default). Configuration comes from the environment
          (PORT, HOST, SIGNPOST_BUCKET, ...) and the optional SIGNPOST_CONFIG file;
          see the README.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command = 'serve'] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'serve') {
    console.error(`signpost: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  return serve();
}

async function serve(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`signpost: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, { logger });
  const mount = running.runtime.mounts[0]!;
  const example = `${running.url}${mount.path}/hello.txt`;
  const where = running.runtime.store ? `embedded store at ${running.runtime.store.url} (data in ${config.dataDir})` : `bucket ${mount.bucket} (${config.storage.kind})`;
  console.error(
    [
      ``,
      `Signpost is listening on ${running.url}`,
      `  storage: ${where}`,
      `  mounts:  ${running.runtime.mounts.map((m) => `${m.path}/ -> ${m.bucket}/${m.prefix}`).join(', ')}`,
      `  WARNING: no policy configured: anyone who can reach ${running.url} may read, write and delete.`,
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

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => undefined); // runs until a signal
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`signpost: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
