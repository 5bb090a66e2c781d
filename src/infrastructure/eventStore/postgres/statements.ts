// SQL run by the PostgreSQL event store, each as a named (prepared) statement: parsed and planned once
// per connection, then one round trip per call.

const columns = `position, stream_id, revision, event_id, type, schema_version, data, metadata, encode(hash, 'hex') AS hash, recorded_at`;

/** Below this, every transaction has finished: nothing can commit there any more. */
const horizon = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20)`;

export const append = `SELECT outcome, revision, last_position
  FROM append_to_stream($1::text, $2::bigint, $3::uuid[], $4::text[], $5::integer[], $6::json[], $7::json[], $8::bytea[])`;

export const readStreamForwards = `SELECT ${columns} FROM events
  WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`;

export const readStreamBackwards = `SELECT ${columns} FROM events
  WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`;

export const readAllForwards = `SELECT ${columns} FROM events
  WHERE position >= $1 AND position < ${horizon} ORDER BY position LIMIT $2`;

export const readAllBackwards = `SELECT ${columns} FROM events
  WHERE position <= coalesce($1, 9223372036854775807) AND position < ${horizon} ORDER BY position DESC LIMIT $2`;

/**
 * A subscription's read: the next events after a checkpoint below the horizon, plus (in the same
 * snapshot, so they agree with the rows) the last position below the horizon and whether anything
 * is committed above it. Always one row at least: when nothing matched, the event columns are null.
 */
export const readBatch = `WITH bound AS MATERIALIZED (SELECT ${horizon} AS horizon)
SELECT (SELECT max(position) FROM events WHERE position < bound.horizon) AS safe_head,
       EXISTS (SELECT 1 FROM events WHERE position >= bound.horizon) AS pending,
       e.*
  FROM bound
  LEFT JOIN LATERAL (
    SELECT ${columns} FROM events
     WHERE position > $1 AND position < bound.horizon
       AND ($3::text[] IS NULL OR type = ANY ($3))
       AND ($4::text[] IS NULL OR stream_id LIKE ANY ($4))
     ORDER BY position LIMIT $2
  ) e ON true
 ORDER BY e.position`;

export const head = `SELECT max(position) AS head FROM events WHERE position < ${horizon}`;
