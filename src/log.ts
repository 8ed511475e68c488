/**
 * The process logger (pino, JSON lines on stdout). Request logging builds its own fields from
 * an allow-list (see http/request-log.ts), so headers, query strings and presigned URLs never
 * reach a log line; the redact paths are a second fence for anything logged by mistake.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'signpost' },
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.location', '*.Location', '*.url', '*.secretAccessKey', '*.sessionToken', '*.token', '*.key'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
