import { openDatabaseServer } from '../postgres/database.ts';
import { migrate } from '../postgres/migrate.ts';
import type { CliContext } from './main.ts';

export const migrateCommand = async ({ config, log }: CliContext): Promise<void> => {
  const database = await openDatabaseServer(config, log);
  try {
    const applied = await migrate(database.url, log);
    process.stdout.write(
      applied.length === 0 ? 'The schema is up to date.\n' : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
    );
  } finally {
    await database.stop();
  }
};
