import bunyan from 'bunyan';
import type { LogLevel } from '../config/config.ts';

export type Logger = bunyan;

export const createLogger = (level: LogLevel, name = 'fastflix'): Logger =>
  bunyan.createLogger({
    name,
    level,
    serializers: { err: bunyan.stdSerializers.err, req: bunyan.stdSerializers.req, res: bunyan.stdSerializers.res },
  });
