import { expect } from 'chai';
import pg from 'pg';
import { Registry } from 'prom-client';
import { startScheduler } from '../../../src/infrastructure/scheduler/startScheduler.ts';
import type { RoleSettings } from '../../../src/infrastructure/threads/roles.ts';
import { createTestDatabase, testLog, type TestDatabase } from '../../support/postgresServer.ts';
import { waitFor } from '../../support/waitFor.ts';

// The scheduler role starts Agenda first and stops it last; whatever it had started is stopped again
// when a later part fails to start, so no Agenda connection (its LISTEN among them) outlives it.

describe('the scheduler role and its job runtime', () => {
  let database: TestDatabase;
  let admin: pg.Client;

  before(async () => {
    database = await createTestDatabase();
    admin = new pg.Client({ connectionString: database.url.href });
    await admin.connect();
  });

  after(async () => {
    await admin.end();
    await database.drop();
  });

  const settings = (overrides: Partial<RoleSettings> = {}): RoleSettings => ({
    databaseUrl: database.url.href,
    eventStoreUrl: undefined,
    poolSize: 2,
    jobs: { retryDelayMs: 100, retries: 1 },
    ...overrides,
  });

  /** Connections of the scheduler's pool, Agenda's included (it shares the pool). */
  const schedulerConnections = async (): Promise<number> => {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fastflix-scheduler'",
    );
    return rows[0]?.n ?? -1;
  };
  const listening = async (): Promise<number> => {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%agenda%'",
    );
    return rows[0]?.n ?? -1;
  };

  describe('when it is stopped', () => {
    it('stops Agenda and leaves no connection behind', async () => {
      const scheduler = await startScheduler(settings(), testLog, new Registry());
      await waitFor(async () => (await listening()) === 1);
      const { rows } = await admin.query<{ exists: boolean }>("SELECT to_regclass('agenda_jobs') IS NOT NULL AS exists");
      expect(rows[0]?.exists).to.equal(true);
      await scheduler.stop();
      await waitFor(async () => (await schedulerConnections()) === 0);
      expect(await listening()).to.equal(0);
    });
  });

  describe('when a part started after Agenda fails to start', () => {
    it('stops Agenda again and answers the failure', async () => {
      // The reactors start after the job runtime; a malformed event store address stops them.
      const failing = startScheduler(settings({ eventStoreUrl: 'nonsense://' }), testLog, new Registry());
      let failure: unknown;
      await failing.catch((error: unknown) => (failure = error));
      expect(String(failure)).to.match(/EVENTSTORE_URL/);
      await waitFor(async () => (await schedulerConnections()) === 0);
      expect(await listening()).to.equal(0);
    });
  });
});
