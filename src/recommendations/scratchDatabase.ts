import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../infrastructure/logging/logger.ts';
import { migrate } from '../infrastructure/postgres/migrate.ts';

export interface ScratchDatabase {
  readonly url: URL;
  readonly drop: () => Promise<void>;
}

const withClient = async <T>(url: URL, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url.href, application_name: 'fastflix-eval' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/**
 * A new, migrated database beside the one `serverUrl` names (which is only used to create and drop
 * it), so that an evaluation builds its read models without touching the installation's own.
 */
export const createScratchDatabase = async (serverUrl: URL, log: Logger): Promise<ScratchDatabase> => {
  const name = `fastflix_eval_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl.href);
  url.pathname = `/${name}`;
  try {
    await migrate(url, log);
  } catch (error) {
    await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    throw error;
  }
  return {
    url,
    drop: () => withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
};
