/** A pino logger whose lines are kept in memory, so tests can assert on what was (not) logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log';

export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
