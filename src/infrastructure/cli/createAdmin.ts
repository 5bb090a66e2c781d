import * as E from 'fp-ts/lib/Either.js';
import { createAdmin } from '../../commands/createAdmin/handler.ts';
import { domainEventDefinitions } from '../../domain/events.ts';
import { createPasswordHasher } from '../auth/passwords.ts';
import { eventRegistry } from '../eventStore/eventRegistry.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import { randomId } from '../ids.ts';
import { openDatabaseServer, StartupError } from '../postgres/database.ts';
import { migrate } from '../postgres/migrate.ts';
import { createPool } from '../postgres/pool.ts';
import type { CliContext } from './main.ts';

const outcomes = {
  created: 'Created the admin account',
  exists: 'An admin account with this address exists already; nothing changed',
  'exists-without-admin-role':
    'An account with this address exists, without the admin role; it was left as it is (to make it an admin, run this again with --promote)',
  promoted: 'Promoted the existing account to admin',
} as const;

/**
 * `fastflix users create-admin --email … --password …`: the same as FASTFLIX_ADMIN_EMAIL/PASSWORD at
 * start; with `--promote`, an existing account with that address becomes an admin (no password needed).
 */
export const createAdminCommand = async (
  { config, log }: CliContext,
  credentials: { email: string; password?: string; promote?: boolean },
): Promise<void> => {
  const database = await openDatabaseServer(config, log);
  const pool = createPool(database.url, 2, 'cli');
  const { store } = await openEventStore({ eventStoreUrl: config.eventStoreUrl, secret: config.auth.jwtSecret }, pool, database.url, log);
  try {
    await migrate(database.url, log);
    const outcome = await createAdmin(
      {
        store,
        registry: eventRegistry(domainEventDefinitions),
        passwords: createPasswordHasher(config.auth.passwordHashCost),
        newId: randomId,
        clock: () => new Date(),
      },
      credentials,
    );
    if (E.isLeft(outcome)) throw new StartupError(outcome.left);
    process.stdout.write(`${outcomes[outcome.right]}: ${credentials.email}\n`);
  } finally {
    await store.close();
    await pool.end();
    await database.stop();
  }
};
