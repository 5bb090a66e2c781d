import type pg from 'pg';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';

// What the operator's tools ask of the log when it lives in PostgreSQL, beside the read models.

/**
 * Events of the given types after a checkpoint (positions are sparse, so a difference of positions
 * says nothing about how many events lie between). Undefined when it cannot be told cheaply.
 */
export type EventCounter = (eventTypes: readonly string[], after: Position) => Promise<number | undefined>;

/** Counts in the PostgreSQL event tables (the same database as the read models). */
export const postgresEventCounter =
  (pool: pg.Pool): EventCounter =>
  async (eventTypes, after) => {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE position > $1 AND type = ANY ($2)', [
      after,
      eventTypes,
    ]);
    return Number(rows[0]?.n ?? 0);
  };

/**
 * Analyzes the event table when much of it changed since it was last analyzed, as after a bulk
 * import: autovacuum gets to it a minute later at the earliest, and meanwhile the planner takes the
 * log for small and answers a filtered read by sorting everything after the checkpoint (on the
 * 125,000 events of a MovieLens import, 230 ms a batch instead of 11 ms). A rebuild reads the whole
 * log, so it checks first. Never fatal: a rebuild with stale statistics is only slower.
 */
export const analyzeLogIfStale = async (pool: pg.Pool, log: Logger): Promise<boolean> => {
  try {
    const { rows } = await pool.query<{ stale: boolean }>(
      `SELECT n_mod_since_analyze > 0.1 * greatest(n_live_tup, 10000) AS stale
         FROM pg_stat_user_tables WHERE relid = to_regclass('events')`,
    );
    if (rows[0]?.stale !== true) return false;
    await pool.query('ANALYZE events');
    return true;
  } catch (error) {
    log.warn({ err: error }, 'could not analyze the event table; reads of the log may be slow');
    return false;
  }
};
