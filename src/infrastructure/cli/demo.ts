import { demoAccount, seedDemo } from '../../commands/seedDemo/handler.ts';
import { domainEventDefinitions } from '../../domain/events.ts';
import { createPasswordHasher } from '../auth/passwords.ts';
import { eventRegistry } from '../eventStore/eventRegistry.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import { openDatabaseServer, StartupError } from '../postgres/database.ts';
import { migrate } from '../postgres/migrate.ts';
import { createPool } from '../postgres/pool.ts';
import type { CliContext } from './main.ts';

/** `fastflix demo`: a small generated catalogue with viewers and a week of activity, in an empty installation. */
export const demoCommand = async ({ config, log }: CliContext): Promise<void> => {
  const database = await openDatabaseServer(config, log);
  const pool = createPool(database.url, 8, 'demo');
  const { store } = await openEventStore({ eventStoreUrl: config.eventStoreUrl, secret: config.auth.jwtSecret }, pool, database.url, log);
  try {
    await migrate(database.url, log);
    const outcome = await seedDemo(
      { store, registry: eventRegistry(domainEventDefinitions), passwords: createPasswordHasher(config.auth.passwordHashCost) },
      { now: new Date() },
    );
    if (!outcome.seeded) throw new StartupError(`no demo added: ${outcome.reason}`);
    process.stdout.write(
      [
        `Added ${outcome.movies} movies, ${outcome.viewers} viewers and a week of their ratings and viewings (${outcome.events.toLocaleString('en-US')} events).`,
        `Sign in as ${demoAccount.email} with the password "${demoAccount.password}", then try:`,
        '  GET /movies?q=river            GET /movies/trending?window=7d            GET /me/recommendations',
        '',
      ].join('\n'),
    );
  } finally {
    await store.close();
    await pool.end();
    await database.stop();
  }
};
