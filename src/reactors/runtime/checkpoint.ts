import type pg from 'pg';
import type { EventStore, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { Reactor } from './reactor.ts';

/** The reactor's checkpoint; created at the head of the log (or before its start) on its first run. */
export const loadCheckpoint = async (pool: pg.Pool, store: EventStore, reactor: Reactor): Promise<Position> => {
  const read = async (): Promise<Position | undefined> => {
    const { rows } = await pool.query<{ position: string }>('SELECT position FROM reactor_state WHERE name = $1', [reactor.name]);
    return rows[0] === undefined ? undefined : BigInt(rows[0].position);
  };
  const known = await read();
  if (known !== undefined) return known;
  const start = reactor.startAt === 'start' ? -1n : ((await store.headPosition()) ?? -1n);
  await pool.query('INSERT INTO reactor_state (name, position) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [reactor.name, start]);
  return (await read()) ?? start;
};

/** Another instance moved the checkpoint: this one stands down rather than react twice. */
export class ReactorFencedOut extends Error {
  override readonly name = 'ReactorFencedOut';
}

/** Moves the checkpoint from `from` to `to`, fenced on its old value. */
export const storeCheckpoint = async (pool: pg.Pool, name: string, from: Position, to: Position): Promise<void> => {
  const { rowCount } = await pool.query('UPDATE reactor_state SET position = $3, updated_at = now() WHERE name = $1 AND position = $2', [
    name,
    from,
    to,
  ]);
  if (rowCount !== 1) throw new ReactorFencedOut(`the checkpoint of reactor ${name} moved under this instance`);
};

export const parkEvent = async (
  pool: pg.Pool,
  reactor: string,
  event: { readonly position: Position; readonly eventId: string; readonly type: string },
  error: string,
  attempts: number,
): Promise<number> => {
  await pool.query(
    'INSERT INTO reactor_parked (reactor, position, event_id, event_type, error, attempts) VALUES ($1, $2, $3, $4, $5, $6)',
    [reactor, event.position, event.eventId, event.type, error, attempts],
  );
  return unresolvedParked(pool, reactor);
};

export const unresolvedParked = async (pool: pg.Pool, reactor: string): Promise<number> => {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM reactor_parked WHERE reactor = $1 AND resolved_at IS NULL', [
    reactor,
  ]);
  return Number(rows[0]?.n ?? 0);
};
