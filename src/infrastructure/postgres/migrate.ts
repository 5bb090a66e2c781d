import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logging/logger.ts';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Applies pending schema migrations (SQL files in ./migrations, through node-pg-migrate). Safe to
 * run from several processes at once: node-pg-migrate serialises them with an advisory lock.
 */
export const migrate = async (url: URL, log: Logger): Promise<string[]> => {
  const applied = await runner({
    databaseUrl: { connectionString: url.href, application_name: 'fastflix-migrate' },
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    checkOrder: true,
    singleTransaction: true,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
  });
  const names = applied.map((migration) => migration.name);
  if (names.length > 0) log.info({ migrations: names }, 'schema migrated');
  return names;
};
