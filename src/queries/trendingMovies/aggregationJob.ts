import type { DatabasePool } from 'slonik';
import { defineJob, type JobDefinition } from '../../infrastructure/jobs/index.ts';
import { slotStart } from '../../infrastructure/jobs/slots.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { computeTrendingSnapshot } from './snapshot.ts';
import type { SnapshotPublisher } from './snapshots.ts';

export const trendingAggregationJobName = 'trending-aggregation';

/** TRENDING_CRON's default: every 5 minutes. */
export const defaultTrendingCron = '*/5 * * * *';

export interface TrendingAggregationDependencies {
  readonly db: DatabasePool;
  /** The lowest position among snapshotSources' read models (read-your-writes' view of them). */
  readonly sourcesPosition: () => Promise<bigint>;
  readonly log: Logger;
  readonly snapshots: SnapshotPublisher;
  /** TRENDING_CRON (UTC). */
  readonly cron: string;
}

/**
 * Ranks every trending window as it stands at the start of the slot and publishes the snapshot that
 * requests read (snapshots.ts). Keyed by the slot: a second run for a slot already published (a
 * retry after the publish, the run at start and the scheduled one meeting, another scheduler) computes
 * nothing. It also runs as the scheduler starts, so that a fresh service answers within seconds.
 */
export const trendingAggregationJob = (dependencies: TrendingAggregationDependencies): JobDefinition<unknown> => {
  const schedule = { cron: dependencies.cron };
  return defineJob<unknown>(
    trendingAggregationJobName,
    async (_data, { key }) => {
      if ((await dependencies.snapshots.lastKey()) === key) return;
      // The key names the slot's start (`<name>@<ISO time>`), which the rankings end at.
      const slot = new Date(key.slice(key.indexOf('@') + 1));
      const position = await dependencies.sourcesPosition();
      const snapshot = await computeTrendingSnapshot(dependencies.db, key, slot, position);
      await dependencies.snapshots.publish(snapshot);
      dependencies.log.info({ key, position: snapshot.position }, 'trending snapshot published');
    },
    { schedule, runAtStart: true, concurrency: 1, retries: 3, retryDelayMs: 10_000 },
  );
};

/** The start of the slot `at` falls in: what a snapshot computed now would name (the test helper's). */
export const trendingSlotAt = (cron: string, at: Date): Date => slotStart({ cron }, at);
