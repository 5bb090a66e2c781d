// SQL run by the PostgreSQL event store, each as a named (prepared) statement: parsed and planned once
// per connection, then one round trip per call.
//
// Every read of the log is an ordered primary-key scan with a LIMIT, so a batch costs the same however
// long the log grows. The horizon is applied outside the scan rather than as a second bound in it: a
// two-sided range over a value computed at run time gets a tiny row estimate, and the planner would
// then choose a bitmap scan that reads and sorts everything after the checkpoint.

const columns = `position, stream_id, revision, event_id, type, schema_version, data, metadata, encode(hash, 'hex') AS hash, recorded_at`;

/** Below this, every transaction has finished: nothing can commit there any more. */
const horizon = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20)`;

export const appendEvents = `SELECT outcome, revision, last_position
  FROM append_events($1::text[], $2::bigint[], $3::integer[], $4::uuid[], $5::text[], $6::integer[], $7::json, $8::json, $9::bytea[])`;

export const readStreamForwards = `SELECT ${columns} FROM events
  WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`;

export const readStreamBackwards = `SELECT ${columns} FROM events
  WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`;

export const readAllForwards = `SELECT batch.* FROM (
    SELECT ${columns} FROM events WHERE position >= $1 ORDER BY position LIMIT $2
  ) batch
  WHERE batch.position < ${horizon}
  ORDER BY batch.position`;

export const readAllBackwards = `SELECT ${columns} FROM events
  WHERE position <= least(coalesce($1, 9223372036854775807), ${horizon} - 1)
  ORDER BY position DESC LIMIT $2`;

/**
 * A subscription's read: the next events after a checkpoint that are below the horizon, plus, in the
 * same snapshot so that they agree with the rows, the last position below the horizon and whether
 * anything is committed above it. Always one row at least: when nothing matched, the event columns
 * are null.
 */
export const readBatch = `WITH bound AS MATERIALIZED (
    SELECT h.horizon,
           (SELECT position FROM events WHERE position < h.horizon ORDER BY position DESC LIMIT 1) AS safe_head,
           (SELECT position FROM events WHERE position >= h.horizon ORDER BY position LIMIT 1) IS NOT NULL AS pending
      FROM (SELECT ${horizon} AS horizon) h
  ), batch AS (
    SELECT ${columns} FROM events
     WHERE position > $1
       AND ($3::text[] IS NULL OR type = ANY ($3))
       AND ($4::text[] IS NULL OR stream_id LIKE ANY ($4))
     ORDER BY position LIMIT $2
  )
SELECT bound.safe_head, bound.pending, batch.*
  FROM bound LEFT JOIN batch ON batch.position < bound.horizon
 ORDER BY batch.position`;

export const head = `SELECT position AS head FROM events WHERE position < ${horizon} ORDER BY position DESC LIMIT 1`;
