import { expect } from 'chai';
import { runCli } from '../../../support/cliProcess.ts';
import { createTestDatabase, type TestDatabase } from '../../../support/postgresServer.ts';

// `fastflix serve` as an operator starts it, with an EVENTSTORE_URL it cannot use: one line on
// stderr naming the variable and the forms accepted, exit code 1, no stack trace.

describe('fastflix serve with EVENTSTORE_URL it cannot use', function () {
  this.timeout(60_000);
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase();
  });

  after(async () => {
    await database.drop();
  });

  const serve = (eventStoreUrl: string) =>
    runCli(['serve'], {
      DATABASE_URL: database.url.href,
      EVENTSTORE_URL: eventStoreUrl,
      PORT: '0',
      JWT_SECRET: 'x'.repeat(40),
      FASTFLIX_ROLES: 'api',
      LOG_LEVEL: 'fatal',
    });

  it('stops at once when the client cannot parse it', async () => {
    const run = serve('esdb://admin:s3cret@db:2113;other:2113');
    expect(await run.exited).to.equal(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^fastflix: Invalid configuration: EVENTSTORE_URL must be an EventStoreDB connection string: /);
    expect(lines[0]).to.contain('gossip seeds').and.to.contain('kurrentdb+discover://').and.not.contain('s3cret');
  });

  it('stops within its start deadline when EventStoreDB does not answer', async () => {
    const started = Date.now();
    const run = serve('kurrentdb://admin:s3cret@127.0.0.1:1?tls=false');
    expect(await run.exited).to.equal(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      /^fastflix: EventStoreDB at EVENTSTORE_URL=kurrentdb:\/\/admin:\*\*\*@127\.0\.0\.1:1\?tls=false did not answer within 10 s/,
    );
    expect(Date.now() - started).to.be.below(40_000);
  });
});
