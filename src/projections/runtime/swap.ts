import type pg from 'pg';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import { quoteIdentifier } from './compare.ts';
import { positionsChannel } from './positions.ts';
import { liveSchema, rebuildSchema, rebuildStateName, type Projection } from './projection.ts';

/** The checkpoints moved between the check and the swap: nothing was swapped; a rerun resumes. */
export class SwapConflict extends Error {
  override readonly name = 'SwapConflict';
}

export interface SwapResult {
  readonly position: Position;
  /** Dead letters of the live projection at or before the new checkpoint: the rebuild got past them. */
  readonly resolvedDeadLetters: number;
  /** Unresolved dead letters remain after the new checkpoint, so the live projection stays stopped. */
  readonly stillStopped: boolean;
}

/**
 * Puts the shadow in the live one's place in one transaction: schema live → old, shadow → live; the
 * live state row takes the shadow's checkpoint and version, the rebuild row goes. Queries name the
 * live schema, so each one reads either the old tables or the new ones, never a mix or nothing
 * (renaming a schema waits for no reader). The old tables are dropped after the commit: dropping
 * them inside would wait for every in-flight read of them while new reads queue behind the drop.
 * Runs while the caller holds the advisory locks of both states, and checks that neither moved.
 */
export const swapIntoLive = async (
  pool: pg.Pool,
  projection: Projection,
  expected: { readonly shadow: Position; readonly live: Position | null },
): Promise<SwapResult> => {
  const live = quoteIdentifier(liveSchema(projection));
  const shadow = quoteIdentifier(rebuildSchema(projection));
  const old = quoteIdentifier(`${liveSchema(projection)}__old`);
  const result = await inTransaction(pool, async (client): Promise<SwapResult> => {
    await client.query("SET LOCAL lock_timeout = '10s'");
    const { rows } = await client.query<{ name: string; position: string }>(
      'SELECT name, position FROM projection_state WHERE name = ANY ($1) FOR UPDATE',
      [[projection.name, rebuildStateName(projection)]],
    );
    const position = (name: string): Position | null => {
      const row = rows.find((candidate) => candidate.name === name);
      return row === undefined ? null : BigInt(row.position);
    };
    const shadowAt = position(rebuildStateName(projection));
    const liveAt = position(projection.name);
    if (shadowAt !== expected.shadow || liveAt !== expected.live || shadowAt === null || (liveAt !== null && liveAt > shadowAt)) {
      throw new SwapConflict(
        `${projection.name}: the checkpoints moved (rebuild ${String(shadowAt)}, live ${String(liveAt)}; expected ${expected.shadow}, ${String(expected.live)})`,
      );
    }
    // Left over by a swap whose process died between its commit and the drop.
    await client.query(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
    const { rows: schemas } = await client.query<{ exists: boolean }>('SELECT to_regnamespace($1) IS NOT NULL AS exists', [
      liveSchema(projection),
    ]);
    if (schemas[0]?.exists === true) await client.query(`ALTER SCHEMA ${live} RENAME TO ${old}`);
    await client.query(`ALTER SCHEMA ${shadow} RENAME TO ${live}`);
    // The rebuild applied these events (or skipped one deliberately, which its own dead letter records).
    const resolved = await client.query(
      "UPDATE projection_dead_letters SET resolution = 'retried', resolved_at = now() WHERE projection = $1 AND resolution IS NULL AND position <= $2",
      [projection.name, shadowAt],
    );
    const { rows: remaining } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM projection_dead_letters WHERE projection = $1 AND resolution IS NULL',
      [projection.name],
    );
    const stillStopped = Number(remaining[0]?.n ?? 0) > 0;
    await client.query(
      `INSERT INTO projection_state (name, version, position) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = now(),
         status = CASE WHEN $4 THEN projection_state.status ELSE 'running' END,
         error = CASE WHEN $4 THEN projection_state.error END`,
      [projection.name, projection.version, shadowAt, stillStopped],
    );
    await client.query('DELETE FROM projection_state WHERE name = $1', [rebuildStateName(projection)]);
    // Read-your-writes waiters in the service learn the new checkpoint without waiting for an event.
    await client.query('SELECT pg_notify($1, $2)', [positionsChannel, `${projection.name} ${shadowAt}`]);
    return { position: shadowAt, resolvedDeadLetters: resolved.rowCount ?? 0, stillStopped };
  });
  await pool.query(`DROP SCHEMA IF EXISTS ${old} CASCADE`);
  return result;
};
