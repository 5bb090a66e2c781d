import { expect } from 'chai';
import pg from 'pg';
import { runCli } from '../../support/cliProcess.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

describe('fastflix migrate', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let emptyUrl: URL;

  /** A database with no schema at all: createTestDatabase migrates, so drop what it made. */
  const emptied = async (target: TestDatabase): Promise<URL> => {
    const client = new pg.Client({ connectionString: target.url.href });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await client.end();
    return target.url;
  };

  before(async () => {
    database = await createTestDatabase();
    emptyUrl = await emptied(database);
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

  it('runs from four processes started at once, as compose starts the service: each waits its turn, one applies', async () => {
    const another = await createTestDatabase();
    try {
      const url = await emptied(another);
      const runs = Array.from({ length: 4 }, () => runCli(['migrate'], { DATABASE_URL: url.href, LOG_LEVEL: 'warn' }));
      const codes = await Promise.all(runs.map((run) => run.exited));
      expect(codes, runs.map((run) => run.stderr()).join('\n')).to.deep.equal([0, 0, 0, 0]);
      const applied = runs.filter((run) => /Applied \d+ migration/.test(run.stdout()));
      expect(applied).to.have.length(1);
    } finally {
      await another.drop();
    }
  });
});
