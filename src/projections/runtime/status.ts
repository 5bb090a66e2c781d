import type pg from 'pg';
import type { EventStore } from '../../infrastructure/eventStore/eventStore.ts';

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly position: string;
  readonly status: 'running' | 'stopped';
  /** Events after the checkpoint. */
  readonly behind: number;
  readonly error: string | null;
  readonly deadLetters: number;
  readonly updatedAt: string;
}

/** Every projection's state as the database records it, with how far behind the head it is. */
export const projectionStatuses = async (pool: pg.Pool, store: EventStore): Promise<ProjectionStatus[]> => {
  const head = (await store.headPosition()) ?? -1n;
  const { rows } = await pool.query<{
    name: string;
    version: number;
    position: string;
    status: 'running' | 'stopped';
    error: string | null;
    updated_at: Date;
    dead_letters: string;
  }>(
    `SELECT s.name, s.version, s.position, s.status, s.error, s.updated_at,
            (SELECT count(*) FROM projection_dead_letters d WHERE d.projection = s.name AND d.resolution IS NULL) AS dead_letters
       FROM projection_state s ORDER BY s.name`,
  );
  return rows.map((row) => ({
    name: row.name,
    version: row.version,
    position: row.position,
    status: row.status,
    behind: head > BigInt(row.position) ? Number(head - BigInt(row.position)) : 0,
    error: row.error,
    deadLetters: Number(row.dead_letters),
    updatedAt: row.updated_at.toISOString(),
  }));
};

/**
 * Which of `names` are stopped at a parked event: what a read-your-writes wait that timed out asks, to
 * tell a read model that is behind (retry shortly) from one that waits for an operator.
 */
export const stoppedAmong =
  (pool: pg.Pool) =>
  async (names: readonly string[]): Promise<string[]> => {
    const { rows } = await pool.query<{ name: string }>(
      "SELECT name FROM projection_state WHERE name = ANY($1::text[]) AND status = 'stopped' ORDER BY name",
      [names],
    );
    return rows.map((row) => row.name);
  };
