import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from '../logging/logger.ts';

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * The advisory lock migrations are applied under: node-pg-migrate's own key, so that its CLI, run by
 * hand beside a starting service, is kept out too.
 */
const migrationLock = 7241865325823964;

/**
 * Applies pending schema migrations (SQL files in ./migrations, through node-pg-migrate). Safe to run
 * from several processes at once: each waits for the advisory lock in turn, and finds nothing left
 * to apply. node-pg-migrate's own lock does not wait (pg_try_advisory_lock: "Another migration is
 * already running"), and two processes started together, as compose starts the API, the projector
 * and the scheduler, had one of them exit at once.
 */
export const migrate = async (url: URL, log: Logger): Promise<string[]> => {
  const client = new pg.Client({ connectionString: url.href, application_name: 'fastflix-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    const applied = await runner({
      dbClient: client,
      noLock: true,
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
  } finally {
    // Ending the session releases the lock, whatever happened.
    await client.end();
  }
};
