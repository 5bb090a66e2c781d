import bunyan from 'bunyan';
import type { LogLevel } from '../config/config.ts';
import { prettyStream, type LogFormat } from './prettyStream.ts';

export type Logger = bunyan;

/**
 * Log lines to `stream`: stdout for the service; stderr for CLI commands, whose stdout is their
 * output. JSON lines, or in `pretty` form for a person at a terminal (prettyStream.ts).
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
    ...(format === 'pretty' ? { streams: [{ type: 'raw', level, stream: prettyStream(stream) }] } : { stream }),
    serializers: { err: bunyan.stdSerializers.err, req: bunyan.stdSerializers.req, res: bunyan.stdSerializers.res },
  });
