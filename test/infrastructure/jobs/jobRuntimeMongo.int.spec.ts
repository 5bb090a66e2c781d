import { MongoClient } from 'mongodb';
import type pg from 'pg';
import { createPool } from '../../../src/infrastructure/postgres/pool.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';
import { jobRuntimeSuite } from './jobRuntimeSuite.ts';

// The same suite on MongoDB, when a server is given: none can be had on the CI machine, so without
// MONGODB_URL the suite says it is skipped rather than pass with nothing run.

const mongodbUrl = process.env.MONGODB_URL;

(mongodbUrl === undefined ? describe.skip : describe)(
  mongodbUrl === undefined ? 'the job runtime on MongoDB: SKIPPED, MONGODB_URL is not set' : 'the job runtime on MongoDB (MONGODB_URL)',
  () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    const url = new URL(mongodbUrl ?? 'mongodb://unused');
    url.pathname = `/fastflix_jobs_${process.pid}_${Date.now()}`;

    before(async () => {
      database = await createTestDatabase();
      pool = createPool(database.url, 2, 'spec-jobs');
    });

    after(async () => {
      const client = new MongoClient(url.href);
      await client.db().dropDatabase();
      await client.close();
      await pool.end();
      await database.drop();
    });

    jobRuntimeSuite({ store: () => ({ pool, mongodbUrl: url }) });
  },
);
