import type pg from 'pg';
import { defineJob, type JobDefinition } from '../../infrastructure/jobs/index.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { ensureSimilarityTables, refreshSimilarity, type RefreshOutcome } from './refresh.ts';

export const similarityRefreshJobName = 'similarity-refresh';

/** A recomputation that changed the tables: what the recommendations push is told. */
export type Refreshed = Extract<RefreshOutcome, { kind: 'refreshed' }>;

export interface SimilarityRefreshJobDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** SIMILARITY_REFRESH_INTERVAL: how often the job looks at the co-watch read model. */
  readonly intervalMs: number;
  /** After each recomputation, by the process that did it (the recommendations push); its failure is logged. */
  readonly afterRefresh?: (outcome: Refreshed) => Promise<void>;
}

/**
 * The similarity tables behind "also watched" and recommendations, recomputed every `intervalMs` when
 * the co-watch read model changed since the last computation (refreshSimilarity records the position it
 * computed from and skips when the read model is still there: that, not the slot, makes a second run
 * of one slot cost a single query). A recurring Agenda job, so that with several scheduler processes
 * one of them runs it (Agenda's lock) and a failure shows in `fastflix jobs status`.
 */
export const similarityRefreshJob = (dependencies: SimilarityRefreshJobDependencies): JobDefinition<unknown> =>
  defineJob<unknown>(
    similarityRefreshJobName,
    async (_data, { key }) => {
      await ensureSimilarityTables(dependencies.pool);
      // Agenda's lock keeps the service's own runs apart; the advisory lock inside still keeps a
      // `projections rebuild` or an older instance's timer from computing at the same moment.
      const outcome = await refreshSimilarity(dependencies.pool, { wait: false });
      if (outcome.kind !== 'refreshed') return;
      dependencies.log.info({ ...outcome, key, sourcePosition: outcome.sourcePosition.toString() }, 'similarity tables recomputed');
      // The tables are committed: a failed push is not worth recomputing them for (the next change pushes again).
      await dependencies
        .afterRefresh?.(outcome)
        .catch((error: unknown) => dependencies.log.warn({ err: error }, 'could not push what the recomputation changed'));
    },
    {
      schedule: { everyMs: dependencies.intervalMs },
      // A computation on a large log takes minutes: its lock is renewed while it runs, or another
      // scheduler would take it for dead and compute beside it.
      lockLifetimeMs: 60_000,
      renewLock: true,
      concurrency: 1,
      // A service started on an imported log serves "also watched" at once, not an interval later.
      runAtStart: true,
    },
  );
