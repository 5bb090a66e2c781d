import type pg from 'pg';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';

/** True once the projection has applied the event at `position`; false if it has not within the wait. */
export type ProjectionReached = (position: Position) => Promise<boolean>;

/**
 * Whether projection `name` has applied everything up to a position, waiting for it up to `timeoutMs`
 * (its checkpoint read every `everyMs`). A reactor that pushes what a read model says asks this first:
 * reactors and projections read the log independently, and the reactor is often the quicker.
 */
export const projectionReached =
  (pool: pg.Pool, name: string, options: { readonly timeoutMs: number; readonly everyMs: number }): ProjectionReached =>
  async (position) => {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const { rows } = await pool.query<{ position: string }>('SELECT position::text AS position FROM projection_state WHERE name = $1', [
        name,
      ]);
      if (BigInt(rows[0]?.position ?? '-1') >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, options.everyMs));
    }
  };
