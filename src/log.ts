/**
 * The process logger (pino, JSON lines on stdout). Request logging builds its own fields from
 * an allow-list (see http/request-log.ts), so headers, query strings and presigned URLs never
 * reach a log line; the redact paths are a second fence for anything logged by mistake.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/** The second fence: fields inside any logged object that must never be written. */
export const REDACT_PATHS = ['*.authorization', '*.Authorization', '*.location', '*.Location', '*.url', '*.secretAccessKey', '*.sessionToken', '*.token', '*.key'] as const;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'signpost' },
      redact: {
        paths: [...REDACT_PATHS],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * `logger` without the redaction pass, for lines whose fields are all strings, numbers or null, from an
 * allow-list (the request line, http/request-log.ts). Every redact path names a field inside a
 * nested object, so it can never change such a line, while pino's redaction pass copies the
 * object first and cost about ten times the line's own serialisation: a tenth of the gateway's
 * CPU per redirect (BENCHMARKS.md, hot path). Everything else is still logged through the fence.
 */
export function flatLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [] } });
}
