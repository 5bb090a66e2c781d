import { expect } from 'chai';
import pg from 'pg';
import { runCli } from '../../support/cliProcess.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

describe('fastflix migrate', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let emptyUrl: URL;

  before(async () => {
    // A database of our own with no schema at all: createTestDatabase migrates, so drop what it made.
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url.href });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await client.end();
    emptyUrl = database.url;
  });
  after(async () => {
    await database.drop();
  });

  it('applies the migrations, then finds nothing left to do', async () => {
    const first = runCli(['migrate'], { DATABASE_URL: emptyUrl.href, LOG_LEVEL: 'warn' });
    expect(await first.exited, first.stderr()).to.equal(0);
    expect(first.stdout()).to.match(/Applied \d+ migration\(s\): 20261126070000000_event-store, 20261126090000000_idempotency-keys/);
    const second = runCli(['migrate'], { DATABASE_URL: emptyUrl.href, LOG_LEVEL: 'warn' });
    expect(await second.exited).to.equal(0);
    expect(second.stdout()).to.match(/The schema is up to date/);
  });
});
