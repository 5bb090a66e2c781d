import type pg from 'pg';
import type { StoredEvent } from '../infrastructure/eventStore/eventStore.ts';
import type { EventRow } from '../infrastructure/eventStore/postgres/eventRow.ts';
import { eventColumns, storedEvents } from './columns.ts';

// `audit trace <correlationId>`: every event of one request and, through causation ids, everything
// they caused in turn (a job's, a mail's, a notification's events carry the id of the event that
// caused them as `causationId`, whatever their own correlation id), in log order. Both steps go
// through the indexes of migrations/20261204170000000_audit-indexes.sql. UNION (not UNION ALL) keeps
// each event once, so even a forged cycle of causation ids ends.

export interface TracedEvent {
  readonly event: StoredEvent;
  /** `request`: it carries the correlation id; `caused`: it was reached through a causation id. */
  readonly via: 'request' | 'caused';
}

export interface TracePage {
  readonly events: readonly TracedEvent[];
  readonly nextAfter: bigint | null;
}

export type TraceLookup = { readonly outcome: 'unknown' } | ({ readonly outcome: 'found' } & TracePage);

const traced = `WITH RECURSIVE traced (position, event_id) AS (
    SELECT position, event_id FROM events WHERE (metadata ->> 'correlationId') = $1
    UNION
    SELECT e.position, e.event_id
      FROM traced t JOIN events e
        ON (e.metadata ->> 'causationId') = t.event_id::text AND (e.metadata ->> 'causationId') IS NOT NULL
  )
  SELECT ${eventColumns}, (metadata ->> 'correlationId') = $1 AS in_request
    FROM events WHERE position IN (SELECT position FROM traced) AND position > $2
   ORDER BY position LIMIT $3`;

export const traceEvents = async (
  pool: pg.Pool,
  correlationId: string,
  options: { readonly after?: bigint; readonly limit: number },
): Promise<TraceLookup> => {
  const { rows } = await pool.query<EventRow & { in_request: boolean }>(traced, [correlationId, options.after ?? -1n, options.limit + 1]);
  if (rows.length === 0 && options.after === undefined) return { outcome: 'unknown' };
  const page = rows.slice(0, options.limit);
  const events = storedEvents(page).map(
    (event, index) => ({ event, via: page[index]?.in_request === true ? 'request' : 'caused' }) as const,
  );
  const last = events[events.length - 1];
  return { outcome: 'found', events, nextAfter: rows.length > options.limit && last !== undefined ? last.event.position : null };
};
