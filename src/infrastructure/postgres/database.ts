import pg from 'pg';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import { startEmbeddedPostgres } from './embeddedPostgres.ts';

/** The PostgreSQL server this process uses: the configured one, or the embedded default. */
export interface DatabaseServer {
  readonly url: URL;
  readonly embedded: boolean;
  readonly stop: () => Promise<void>;
}

/** A startup failure the operator can act on; the CLI prints its message without a stack trace. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export const openDatabaseServer = async (config: Config, log: Logger): Promise<DatabaseServer> => {
  if (config.database.url !== undefined) {
    await checkReachable(config.database.url);
    return { url: config.database.url, embedded: false, stop: () => Promise.resolve() };
  }
  try {
    const server = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.database.embeddedPort,
      database: 'fastflix',
      log,
    });
    return { url: server.url, embedded: true, stop: server.stop };
  } catch (error) {
    throw new StartupError(
      `could not start the embedded PostgreSQL under ${config.dataDir}/postgres on port ${config.database.embeddedPort} ` +
        `(set EMBEDDED_POSTGRES_PORT for another port, or DATABASE_URL for a server of your own): ${describe(error)}`,
    );
  }
};

const checkReachable = async (url: URL): Promise<void> => {
  const client = new pg.Client({ connectionString: url.href, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new StartupError(`cannot connect to DATABASE_URL (${redact(url)}): ${describe(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** For messages and logs: the URL without its password. */
export const redact = (url: URL): string => {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
};

const describe = (error: unknown): string => {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  if (error instanceof Error) return error.message || ('code' in error ? String(error.code) : error.name);
  return String(error);
};
