import { expect } from 'chai';
import type pg from 'pg';
import { createPool } from '../../../src/infrastructure/postgres/pool.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';
import { jobRuntimeSuite } from './jobRuntimeSuite.ts';

describe('the job runtime on PostgreSQL (agenda_jobs in the service database)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  before(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, 6, 'spec-jobs');
  });

  after(async () => {
    await pool.end();
    await database.drop();
  });

  jobRuntimeSuite({ store: () => ({ pool }) });

  it('keeps one job per name and key in its table (the unique index behind idempotent enqueues)', async () => {
    const { rows } = await pool.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE indexname = 'agenda_jobs_key_idx'");
    expect(rows[0]?.indexdef).to.include('UNIQUE');
  });
});
