import type pg from 'pg';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { similarityRefreshIntervalMs } from './model.ts';
import { ensureSimilarityTables, refreshSimilarity, type RefreshOutcome } from './refresh.ts';

export interface SimilarityRefresher {
  /** Stops the timer and waits for a computation in progress. */
  readonly stop: () => Promise<void>;
}

/**
 * Keeps the similarity tables fresh until a job scheduler takes this over: every `intervalMs` it looks
 * at the co-watch read model and recomputes when it changed. So "also watched" and the neighbours
 * behind recommendations lag the events by at most the interval plus one computation; a user's own
 * ratings and watches count in their recommendations at once (the query reads them live).
 */
export const startSimilarityRefresh = async (
  pool: pg.Pool,
  log: Logger,
  intervalMs = similarityRefreshIntervalMs,
  /** After each recomputation, by the process that did it (the recommendations push); its failure is logged. */
  afterRefresh: (outcome: Extract<RefreshOutcome, { kind: 'refreshed' }>) => Promise<void> = () => Promise.resolve(),
): Promise<SimilarityRefresher> => {
  await ensureSimilarityTables(pool);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const tick = async (): Promise<void> => {
    try {
      const outcome = await refreshSimilarity(pool, { wait: false });
      if (outcome.kind !== 'refreshed') return;
      log.info({ ...outcome, sourcePosition: outcome.sourcePosition.toString() }, 'similarity tables recomputed');
      await afterRefresh(outcome).catch((error: unknown) => log.warn({ err: error }, 'could not push what the recomputation changed'));
    } catch (error) {
      if (!stopped) log.warn({ err: error }, 'could not recompute the similarity tables; retrying at the next interval');
    }
  };
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule(intervalMs);
      });
    }, delayMs);
  };
  // The first look soon after start, so that a service started on an imported log serves at once.
  schedule(Math.min(intervalMs, 2_000));

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
