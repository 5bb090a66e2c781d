import { Writable } from 'node:stream';
import bunyan from 'bunyan';
import type { LogLevel } from '../../src/infrastructure/config/config.ts';
import { createLogger, type Logger } from '../../src/infrastructure/logging/logger.ts';

/** A logger that keeps its records in memory, so tests can read what was logged. */
export const capturingLogger = (): { log: Logger; records: Record<string, unknown>[] } => {
  const records: Record<string, unknown>[] = [];
  const log = bunyan.createLogger({
    name: 'fastflix-test',
    streams: [
      { type: 'raw', level: 'trace', stream: { write: (record: unknown) => void records.push(record as Record<string, unknown>) } },
    ],
  });
  return { log, records };
};

/**
 * A logger made as the service's own (createLogger: JSON lines, redacted), writing to memory: what an
 * operator's log collector would receive, as text to search.
 */
export const capturedLogText = (level: LogLevel = 'trace'): { log: Logger; text: () => string } => {
  const chunks: string[] = [];
  const out = new Writable({
    write: (chunk: Buffer | string, _encoding, done) => {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger(level, 'fastflix-test', out), text: () => chunks.join('') };
};
