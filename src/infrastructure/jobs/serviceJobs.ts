import type pg from 'pg';
import type { DatabasePool } from 'slonik';
import { trendingAggregationJob } from '../../queries/trendingMovies/aggregationJob.ts';
import type { SnapshotPublisher } from '../../queries/trendingMovies/snapshots.ts';
import { similarityRefreshJob, type Refreshed } from '../../projections/cowatch/refreshJob.ts';
import { mailJobs } from '../../reactors/mail/jobs.ts';
import type { Logger } from '../logging/logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { ResetOutbox } from '../mail/resetOutbox.ts';
import type { SomeJobDefinition } from './job.ts';
import type { RecipientOf } from '../../reactors/mail/recipients.ts';

/** What the scheduler role can give its jobs; a job that needs more is added here. */
export interface JobDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  readonly mailer: Mailer;
  readonly resetOutbox: ResetOutbox | undefined;
  readonly recipientOf: RecipientOf;
  /** SIMILARITY_REFRESH_INTERVAL. */
  readonly similarityRefreshIntervalMs: number;
  /** After each similarity recomputation (the recommendations push). */
  readonly afterSimilarityRefresh?: (outcome: Refreshed) => Promise<void>;
  /** The read-model queries' pool (slonik). */
  readonly db: DatabasePool;
  /** Where the trending snapshots go, and TRENDING_CRON. */
  readonly trendingSnapshots: SnapshotPublisher;
  readonly trendingCron: string;
  readonly trendingSourcesPosition: () => Promise<bigint>;
}

/** Every job of the service: the scheduler role defines each and schedules the recurring ones (see index.ts). */
export const serviceJobs = (dependencies: JobDependencies): SomeJobDefinition[] => [
  ...mailJobs(dependencies),
  similarityRefreshJob({
    pool: dependencies.pool,
    log: dependencies.log,
    intervalMs: dependencies.similarityRefreshIntervalMs,
    afterRefresh: dependencies.afterSimilarityRefresh,
  }),
  trendingAggregationJob({
    sourcesPosition: dependencies.trendingSourcesPosition,
    db: dependencies.db,
    log: dependencies.log,
    snapshots: dependencies.trendingSnapshots,
    cron: dependencies.trendingCron,
  }),
];
