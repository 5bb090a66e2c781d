import type pg from 'pg';
import { isLockTimeout, transactionLockStatement } from './lock.ts';

export interface DeadLetter {
  readonly id: string;
  readonly position: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: string;
  readonly attempts: number;
  readonly recordedAt: string;
}

export type Resolution =
  | { readonly outcome: 'retried' | 'skipped'; readonly deadLetter: DeadLetter }
  | { readonly outcome: 'unknown-projection' }
  | { readonly outcome: 'nothing-parked'; readonly status: string }
  /** A rebuild is swapping this projection (it holds its lock): try again in a moment. */
  | { readonly outcome: 'busy' };

/**
 * Resolves the event a stopped projection (or rebuild, `<name>@rebuild`) is parked at, deliberately
 * and on the record: `retried` sets it running so that its runner applies the event again (and parks
 * it anew if it still fails); `skipped` also moves the checkpoint past the event, which is then never
 * applied. The runner of a running service polls a parked projection's status and resumes.
 */
export const resolveParked = async (
  pool: pg.Pool,
  stateName: string,
  how: 'retried' | 'skipped',
  lockWaitMs = 5_000,
): Promise<Resolution> => {
  const client = await pool.connect();
  try {
    const { rows: first } = await client.query<{ status: string }>('SELECT status FROM projection_state WHERE name = $1', [stateName]);
    if (first[0] === undefined) return { outcome: 'unknown-projection' };
    // A running runner holds the lock and would hand it over to a waiter: only wait for a stopped one's.
    if (first[0].status !== 'stopped') return { outcome: 'nothing-parked', status: first[0].status };
    await client.query('BEGIN');
    // Not while a rebuild holds the projection to compare and swap it (a parked runner does not hold it).
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockWaitMs))}`);
    try {
      await client.query(transactionLockStatement, [stateName]);
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      await client.query('ROLLBACK');
      return { outcome: 'busy' };
    }
    const { rows: states } = await client.query<{ position: string; status: string }>(
      'SELECT position, status FROM projection_state WHERE name = $1 FOR UPDATE',
      [stateName],
    );
    const state = states[0];
    if (state === undefined) {
      await client.query('ROLLBACK');
      return { outcome: 'unknown-projection' };
    }
    const { rows } = await client.query<{
      id: string;
      position: string;
      event_id: string;
      event_type: string;
      error: string;
      attempts: number;
      recorded_at: Date;
    }>(
      `SELECT id, position, event_id, event_type, error, attempts, recorded_at FROM projection_dead_letters
        WHERE projection = $1 AND resolution IS NULL ORDER BY position, id LIMIT 1 FOR UPDATE`,
      [stateName],
    );
    const parked = rows[0];
    if (parked === undefined || state.status !== 'stopped') {
      await client.query('ROLLBACK');
      return { outcome: 'nothing-parked', status: state.status };
    }
    // Every unresolved letter of that event (a race of two instances could park it twice).
    await client.query(
      'UPDATE projection_dead_letters SET resolution = $3, resolved_at = now() WHERE projection = $1 AND position = $2 AND resolution IS NULL',
      [stateName, parked.position, how],
    );
    await client.query(
      `UPDATE projection_state SET status = 'running', error = NULL, updated_at = now(),
         position = CASE WHEN $2 AND position < $3 THEN $3 ELSE position END
       WHERE name = $1`,
      [stateName, how === 'skipped', parked.position],
    );
    await client.query('COMMIT');
    return {
      outcome: how,
      deadLetter: {
        id: parked.id,
        position: parked.position,
        eventId: parked.event_id,
        eventType: parked.event_type,
        error: parked.error,
        attempts: parked.attempts,
        recordedAt: parked.recorded_at.toISOString(),
      },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
