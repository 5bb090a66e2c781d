import type pg from 'pg';
import type { EventStore, Position } from '../../infrastructure/eventStore/eventStore.ts';

export interface ParkedEvent {
  readonly id: string;
  readonly position: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

export interface ReactorStatus {
  readonly name: string;
  readonly position: string;
  /** Positions between the head of the log and the checkpoint (the log's positions are sparse). */
  readonly behind: number;
  readonly updatedAt: string;
  readonly parked: readonly ParkedEvent[];
}

/** Every reactor that has ever run here (its checkpoint row), with its unresolved parked events. */
export const reactorStatus = async (pool: pg.Pool, store: Pick<EventStore, 'headPosition'>): Promise<ReactorStatus[]> => {
  const head: Position = (await store.headPosition()) ?? -1n;
  const { rows: states } = await pool.query<{ name: string; position: string; updated_at: Date }>(
    'SELECT name, position, updated_at FROM reactor_state ORDER BY name',
  );
  const { rows: parked } = await pool.query<{
    id: string;
    reactor: string;
    position: string;
    event_id: string;
    event_type: string;
    error: string;
    attempts: number;
    parked_at: Date;
  }>(
    'SELECT id, reactor, position, event_id, event_type, error, attempts, parked_at FROM reactor_parked WHERE resolved_at IS NULL ORDER BY position, id',
  );
  return states.map((state) => ({
    name: state.name,
    position: state.position,
    behind: head > BigInt(state.position) ? Number(head - BigInt(state.position)) : 0,
    updatedAt: state.updated_at.toISOString(),
    parked: parked
      .filter((row) => row.reactor === state.name)
      .map((row) => ({
        id: row.id,
        position: row.position,
        eventId: row.event_id,
        eventType: row.event_type,
        error: row.error,
        attempts: row.attempts,
        parkedAt: row.parked_at.toISOString(),
      })),
  }));
};
