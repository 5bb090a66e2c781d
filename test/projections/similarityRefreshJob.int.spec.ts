import { expect } from 'chai';
import type pg from 'pg';
import { connectJobQueue, defineJob, jobsStatus, startJobRuntime, type JobRuntime } from '../../src/infrastructure/jobs/index.ts';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { similarityRefreshJob, similarityRefreshJobName } from '../../src/projections/cowatch/refreshJob.ts';
import { createTestDatabase, testLog, type TestDatabase } from '../support/postgresServer.ts';
import { waitFor } from '../support/waitFor.ts';

// The similarity refresh as a recurring job: with two schedulers on one job store, each slot runs
// in one of them (Agenda's lock), the first run comes at start rather than an interval later, and
// the job is listed by `fastflix jobs status`.

describe('the similarity-refresh job', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let pool: pg.Pool;
  const runtimes: JobRuntime[] = [];

  before(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, 8, 'spec-similarity-job');
  });
  after(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.stop();
    await pool.end();
    await database.drop();
  });

  it('runs each slot in one of two schedulers, once at start, and shows in jobs status', async () => {
    const runs: { readonly scheduler: number; readonly key: string }[] = [];
    // The job as the service defines it, its handler also recording who ran which slot.
    const counted = (scheduler: number) => {
      const job = similarityRefreshJob({ pool, log: testLog, intervalMs: 3_000 });
      return defineJob<unknown>(
        job.name,
        async (data, context) => {
          runs.push({ scheduler, key: context.key });
          await job.handler(data, context);
        },
        job.options,
      );
    };
    for (const scheduler of [1, 2]) {
      runtimes.push(
        await startJobRuntime({
          store: { pool },
          jobs: [counted(scheduler)],
          log: testLog,
          retryDelayMs: 100,
          retries: 1,
          processEveryMs: 100,
        }),
      );
    }
    // The run at start comes before the first interval has passed.
    await waitFor(() => runs.length >= 1, 1_500);
    await waitFor(() => runs.length >= 3, 12_000);
    const keys = runs.map((run) => run.key);
    expect(new Set(keys).size, JSON.stringify(runs)).to.equal(keys.length);
    const queue = await connectJobQueue({ pool }, testLog);
    try {
      const status = await jobsStatus(queue);
      expect(status.counts.map((count) => count.name)).to.include(similarityRefreshJobName);
      expect(status.failing).to.deep.equal([]);
    } finally {
      await queue.close();
    }
  });
});
