import type pg from 'pg';
import type { StoredEvent } from '../infrastructure/eventStore/eventStore.ts';
import type { EventRow } from '../infrastructure/eventStore/postgres/eventRow.ts';
import { eventColumns, rangeCondition, rangeParameters, storedEvents, streamExists } from './columns.ts';
import type { LogPoint } from './point.ts';

// `audit actor <userId> [--from --to]`: every event a user caused, across streams, in log order.
// Read through the index on the metadata's actor id (migrations/20261204170000000_audit-indexes.sql):
// the condition repeats the index's expression and predicate word for word so that it is used.

export interface ActorPage {
  readonly events: readonly StoredEvent[];
  /** The position to continue after; null on the last page. */
  readonly nextAfter: bigint | null;
}

export type ActorLookup = { readonly outcome: 'unknown' } | ({ readonly outcome: 'found' } & ActorPage);

export const actorEvents = async (
  pool: pg.Pool,
  actorId: string,
  options: { readonly from?: LogPoint; readonly to?: LogPoint; readonly after?: bigint; readonly limit: number },
): Promise<ActorLookup> => {
  const { rows } = await pool.query<EventRow>(
    `SELECT ${eventColumns} FROM events
      WHERE (metadata ->> 'actorId') = $1 AND (metadata ->> 'actorId') IS NOT NULL AND position > $2 AND ${rangeCondition(3)}
      ORDER BY (metadata ->> 'actorId'), position LIMIT $7`,
    [actorId, options.after ?? -1n, ...rangeParameters(options.from, options.to), options.limit + 1],
  );
  const events = storedEvents(rows.slice(0, options.limit));
  const last = events[events.length - 1];
  if (events.length === 0 && options.after === undefined && !(await known(pool, actorId))) return { outcome: 'unknown' };
  return { outcome: 'found', events, nextAfter: rows.length > options.limit && last !== undefined ? last.position : null };
};

/** A user the log knows: an account stream, or events they caused (outside the range asked). */
const known = async (pool: pg.Pool, actorId: string): Promise<boolean> =>
  (await streamExists(pool, `user-${actorId}`)) ||
  (await pool.query(`SELECT 1 FROM events WHERE (metadata ->> 'actorId') = $1 AND (metadata ->> 'actorId') IS NOT NULL LIMIT 1`, [actorId]))
    .rowCount === 1;
