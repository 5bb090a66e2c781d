import bunyan from 'bunyan';
import type { LogLevel } from '../config/config.ts';

export type Logger = bunyan;

/** JSON lines to `stream`: stdout for the service; stderr for CLI commands, whose stdout is their output. */
export const createLogger = (level: LogLevel, name = 'fastflix', stream: NodeJS.WritableStream = process.stdout): Logger =>
  bunyan.createLogger({
    name,
    level,
    stream,
    serializers: { err: bunyan.stdSerializers.err, req: bunyan.stdSerializers.req, res: bunyan.stdSerializers.res },
  });
