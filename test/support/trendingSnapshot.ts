import type pg from 'pg';
import { createQueryPool } from '../../src/infrastructure/postgres/slonik.ts';
import { trendingAggregationJob, trendingAggregationJobName } from '../../src/queries/trendingMovies/aggregationJob.ts';
import { openSnapshotPublisher, openSnapshotReader } from '../../src/queries/trendingMovies/snapshots.ts';
import { testLog } from './postgresServer.ts';
import type { TestService } from './testService.ts';
import { waitFor } from './waitFor.ts';

/**
 * Runs the scheduler's trending-aggregation job now, for a slot starting at `at` (the test's clock by
 * default), as the scheduler would at that slot, and waits until the service has the snapshot:
 * GET /movies/trending then answers with the rankings ending at `at`. Call it after the writes a test
 * ranks have reached the read models (X-Min-Position on an earlier read, or waitFor).
 */
export const computeTrendingNow = async (running: TestService, at: Date = running.clock.now()): Promise<string> => {
  const { redisUrl, channel } = running.service.trendingSnapshots;
  const db = await createQueryPool(running.database.url, 2, 30_000);
  const snapshots = openSnapshotPublisher({ redisUrl, channel, log: testLog });
  // A reader of its own, opened first, hears the snapshot when the service's reader does.
  const heard = openSnapshotReader({ redisUrl, channel, log: testLog }, 50);
  const key = `${trendingAggregationJobName}@${at.toISOString()}`;
  try {
    // The caller waited for the read models: they stand at the log's head.
    const sourcesPosition = async (): Promise<bigint> => (await running.service.eventStore.headPosition()) ?? -1n;
    const job = trendingAggregationJob({ db, log: testLog, snapshots, cron: '* * * * *', sourcesPosition });
    await job.handler({}, { jobId: 'spec', key, attempt: 1 });
    await waitFor(() => Promise.resolve(heard.current()?.key === key), 5_000);
    // The service's reader polls Redis once a second.
    if (redisUrl !== undefined) await new Promise((resolve) => setTimeout(resolve, 1_200));
    return key;
  } finally {
    await heard.close();
    await snapshots.close();
    await db.end();
  }
};

/** Until every one of `projections` has passed `position` (the read models a snapshot reads). */
export const projectionsPassed = (pool: pg.Pool, projections: readonly string[], position: string): Promise<void> =>
  waitFor(async () => {
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM projection_state WHERE name = ANY($1::text[]) AND position >= $2',
      [projections, position],
    );
    return rows[0]?.n === projections.length;
  });
