import type pg from 'pg';
import type { EffectOnce } from './reactor.ts';

/** The `once` of a reactor's context for one event: see `EffectOnce` in reactor.ts. */
export const effectOnce =
  (pool: pg.Pool, reactor: string, eventId: string): EffectOnce =>
  async (key, effect) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // The row is taken first: a second runner of the same event (a redelivery racing a standby's
      // takeover) waits here for the first's commit, then finds the row and does nothing.
      const { rowCount } = await client.query(
        'INSERT INTO reactor_effects (reactor, event_id, effect) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [reactor, eventId, key],
      );
      if (rowCount === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await effect(client);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

/** Whether an effect was recorded (for tests and for reactors that look before a costly effect). */
export const effectDone = async (pool: pg.Pool, reactor: string, eventId: string, key = ''): Promise<boolean> => {
  const { rows } = await pool.query<{ done: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM reactor_effects WHERE reactor = $1 AND event_id = $2 AND effect = $3) AS done',
    [reactor, eventId, key],
  );
  return rows[0]?.done === true;
};
