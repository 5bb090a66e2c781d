import bunyan from 'bunyan';
import type { LogLevel } from '../config/config.ts';
import { prettyStream, type LogFormat } from './prettyStream.ts';
import { redactRecord } from './redaction.ts';

export type Logger = bunyan;

/** Where records go once redacted: a bunyan raw stream. */
export interface RecordSink {
  readonly write: (record: object) => void;
}

/**
 * Every record through `redactRecord` before `sink` sees it (redaction.ts): the one serializer every
 * field of every record passes, nested ones included, which bunyan's per-field serializers cannot be.
 */
export const redacting = (sink: RecordSink): RecordSink => ({ write: (record) => sink.write(redactRecord(record)) });

/** JSON lines, as bunyan writes them (`time` as ISO text by Date's toJSON). */
const jsonLines = (out: NodeJS.WritableStream): RecordSink => ({ write: (record) => void out.write(`${JSON.stringify(record)}\n`) });

/**
 * Log lines to `stream`: stdout for the service; stderr for CLI commands, whose stdout is their
 * output. JSON lines, or in `pretty` form for a person at a terminal (prettyStream.ts); redacted
 * either way.
 */
export const createLogger = (
  level: LogLevel,
  name = 'fastflix',
  stream: NodeJS.WritableStream = process.stdout,
  format: LogFormat = 'json',
): Logger =>
  bunyan.createLogger({
    name,
    level,
    streams: [{ type: 'raw', level, stream: redacting(format === 'pretty' ? prettyStream(stream) : jsonLines(stream)) }],
    serializers: { err: bunyan.stdSerializers.err, req: bunyan.stdSerializers.req, res: bunyan.stdSerializers.res },
  });
