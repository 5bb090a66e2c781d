import type pg from 'pg';
import type { StoredEvent } from '../infrastructure/eventStore/eventStore.ts';
import { toStoredEvent, type EventRow } from '../infrastructure/eventStore/postgres/eventRow.ts';
import type { LogPoint } from './point.ts';

// What the PostgreSQL-only audit queries share: the event columns as the store's own reads select
// them (so rows become StoredEvents the same way), and a range of the log by position or time.

export const eventColumns = `position, stream_id, revision, event_id, type, schema_version, data, metadata, encode(hash, 'hex') AS hash, recorded_at`;

export const storedEvents = (rows: readonly EventRow[]): StoredEvent[] => rows.map(toStoredEvent);

/** Bounds of a range as SQL parameters: a position bound, a time bound, each null when not given. */
export const rangeParameters = (
  from: LogPoint | undefined,
  to: LogPoint | undefined,
): [bigint | null, Date | null, bigint | null, Date | null] => [
  from?.kind === 'position' ? from.position : null,
  from?.kind === 'time' ? from.time : null,
  to?.kind === 'position' ? to.position : null,
  to?.kind === 'time' ? to.time : null,
];

/** The SQL condition matching `rangeParameters` at parameter `$n` onwards (four parameters). */
export const rangeCondition = (n: number): string =>
  `($${n}::bigint IS NULL OR position >= $${n}) AND ($${n + 1}::timestamptz IS NULL OR recorded_at >= $${n + 1})` +
  ` AND ($${n + 2}::bigint IS NULL OR position <= $${n + 2}) AND ($${n + 3}::timestamptz IS NULL OR recorded_at <= $${n + 3})`;

export const streamExists = async (pool: pg.Pool, stream: string): Promise<boolean> =>
  (await pool.query('SELECT 1 FROM event_streams WHERE stream_id = $1', [stream])).rowCount === 1;

/**
 * The position a point stands for: a position as it is, a time as the last event recorded by then
 * (-1 when none was). Recording times follow positions closely but not exactly (a transaction's
 * time is its start, its position is fixed at its first write), so a cut by time is a cut by position.
 */
export const positionOf = async (pool: pg.Pool, point: LogPoint): Promise<bigint> => {
  if (point.kind === 'position') return point.position;
  const { rows } = await pool.query<{ position: string | null }>('SELECT max(position) AS position FROM events WHERE recorded_at <= $1', [
    point.time,
  ]);
  return BigInt(rows[0]?.position ?? -1);
};

/** The first position recorded at or after a time (one past the head when none is). */
export const firstPositionFrom = async (pool: pg.Pool, point: LogPoint): Promise<bigint> => {
  if (point.kind === 'position') return point.position;
  const { rows } = await pool.query<{ position: string | null }>(
    `SELECT coalesce(min(position), (SELECT coalesce(max(position), -1) + 1 FROM events)) AS position FROM events WHERE recorded_at >= $1`,
    [point.time],
  );
  return BigInt(rows[0]?.position ?? 0);
};
