import { expect } from 'chai';
import pg from 'pg';
import { createPool } from '../../../src/infrastructure/postgres/pool.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

// A connection the server ends while it is checked out of the pool (a restart, a failover, an
// operator's pg_terminate_backend) is an error of whatever runs on it, never of the process: pg
// emits 'error' on such a client, and with no listener Node takes the whole thread down. A CI run
// saw the scheduler thread go that way when PostgreSQL restarted under load.

describe('a pool connection the server ends while it is checked out', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let admin: pg.Client;

  before(async () => {
    database = await createTestDatabase();
    admin = new pg.Client({ connectionString: database.url.href });
    await admin.connect();
  });
  beforeEach(() => {
    pool = createPool(database.url, 2, 'lost-connection-spec');
  });
  afterEach(async () => {
    await pool.end();
  });
  after(async () => {
    await admin.end();
    await database.drop();
  });

  const terminate = async (client: pg.PoolClient): Promise<void> => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('between queries: the next query fails, and the pool replaces the connection once it is released', async () => {
    const client = await pool.connect();
    await terminate(client);
    // The server's goodbye arrives while nothing runs on the client; before the fix this was an uncaught error here.
    await sleep(200);
    let failed: unknown;
    await client.query('SELECT 1').catch((error: unknown) => (failed = error));
    expect(failed, 'a query on the lost connection').to.be.instanceOf(Error);
    client.release();
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).to.equal(1);
  });

  it('during a query: that query fails, and nothing else', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const running = client.query('SELECT pg_sleep(5)');
    await sleep(100);
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    let failed: unknown;
    await running.catch((error: unknown) => (failed = error));
    expect(failed, 'the query on the lost connection').to.be.instanceOf(Error);
    await sleep(100);
    client.release();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).to.equal(1);
  });
});
