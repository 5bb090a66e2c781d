import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '../../src/infrastructure/logging/logger.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/infrastructure/postgres/embeddedPostgres.ts';
import { migrate } from '../../src/infrastructure/postgres/migrate.ts';

// The PostgreSQL server the tests run against: DATABASE_URL when set (CI points it at the system
// PostgreSQL), otherwise an embedded one started once for the whole run in a temporary folder.
// Every suite gets a database of its own, migrated, and dropped afterwards.

let embedded: { server: EmbeddedPostgres; dataDir: string } | undefined;
let adminUrl: URL | undefined;

export const testLog = createLogger(process.env.LOG_LEVEL === undefined ? 'fatal' : 'info', 'fastflix-test');

export const startTestPostgres = async (): Promise<void> => {
  if (process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '') {
    adminUrl = new URL(process.env.DATABASE_URL);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-test-'));
  // Run as root, the server runs as the postgres user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'fastflix_test', log: testLog });
  embedded = { server, dataDir };
  adminUrl = server.url;
};

export const stopTestPostgres = async (): Promise<void> => {
  if (embedded === undefined) return;
  await embedded.server.stop({ evenIfShared: true });
  await rm(embedded.dataDir, { recursive: true, force: true });
  embedded = undefined;
};

export const describeTestPostgres = (): string =>
  embedded === undefined ? `PostgreSQL at ${adminUrl?.host ?? '?'} (DATABASE_URL)` : `embedded PostgreSQL on port ${adminUrl?.port ?? '?'}`;

export interface TestDatabase {
  readonly url: URL;
  readonly drop: () => Promise<void>;
}

/** A new, migrated database on the test server. */
export const createTestDatabase = async (): Promise<TestDatabase> => {
  if (adminUrl === undefined) throw new Error('the test PostgreSQL server is not started (test/support/globalFixtures.ts)');
  const name = `fastflix_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl.href);
  url.pathname = `/${name}`;
  await migrate(url, testLog);
  const admin = adminUrl;
  return {
    url,
    drop: () => withAdmin(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
};

const withAdmin = async <T>(url: URL, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
