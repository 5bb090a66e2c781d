import bunyan from 'bunyan';
import type { Logger } from '../../src/infrastructure/logging/logger.ts';

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
