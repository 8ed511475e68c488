/**
 * Child: the real gateway with production settings, configured only through the environment
 * (loadConfig(process.env), the logger at the configured level, default 'info', on stdout, which
 * the parent points at /dev/null), exactly as `signpost serve` composes it minus the banner.
 */
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/log';
import { startServer } from '../../src/server';
import { serveChild } from './harness';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, { logger });
  serveChild(running.server, running.url, { storeUrl: running.runtime.store?.url ?? null, logLevel: config.logLevel });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
