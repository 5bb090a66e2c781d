import { startService } from '../service.ts';
import { startTracing } from '../tracing/startTracing.ts';
import type { CliContext } from './main.ts';

/** Runs until SIGTERM or SIGINT, then shuts down gracefully; a second signal exits at once. */
export const serveCommand = async ({ config, log }: CliContext): Promise<void> => {
  const tracing = await startTracing(process.env, log, { 'fastflix.roles': config.roles.join(',') });
  const service = await startService(config, log);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      service.stop().then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await tracing?.shutdown();
  log.info('stopped');
};
