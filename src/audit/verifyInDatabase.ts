import type pg from 'pg';

// The first pass of `audit verify`: every link of every chain checked inside PostgreSQL, which hashes
// in C on the rows where they lie and sends back one row of counts. Checking in Node cost a row
// parsed, two strings built and two hashes per event, some 50,000 events per second of the client's
// CPU; here the client does nothing. The pass only says whether anything is amiss: where it is, the
// check in Node (chainCheck.ts) reads the log again and says what and where, as it always has.
//
// The digest is the one envelope.ts hashes, assembled from the same parts as chainRow.ts's
// `digestOf`: the `json` columns hold the canonical text byte for byte, and every other part is JSON
// that PostgreSQL writes as JavaScript does (a uuid, a decimal integer, stream names and event types
// of letters, digits and `._:@+=-`). Were they ever to differ, the pass would see broken links where
// there are none and hand over to the check in Node: it can raise a false alarm, never miss a break,
// as no tampering makes a link hash to its stored value short of a SHA-256 collision.
//
// A link is each event's stored hash against SHA-256(the previous event's stored hash || its digest),
// as chainCheck.ts checks it; revisions must follow one another from 0, and each stream's last event
// must be the head `event_streams` records (both ways: no head without events, no events without one).

export interface DatabaseVerdict {
  readonly events: number;
  readonly streams: number;
  readonly lastPosition: bigint | null;
  /** Streams where something is amiss: a link, a revision, the head, or a stream or head missing. */
  readonly suspectStreams: number;
}

const verdictSql = `
  WITH links AS (
    SELECT e.stream_id, e.revision, e.position, e.hash,
           e.hash IS DISTINCT FROM sha256(coalesce(lag(e.hash) OVER w, '\\x${'00'.repeat(32)}'::bytea) || e.digest)
             OR e.revision <> coalesce(lag(e.revision) OVER w, -1) + 1 AS broken,
           lead(e.revision) OVER w IS NULL AS last
      FROM (SELECT stream_id, revision, position, hash,
                   sha256(convert_to('{"data":' || data::text || ',"eventId":"' || event_id::text || '","metadata":' || metadata::text
                     || ',"schemaVersion":' || schema_version::text || ',"streamName":' || to_json(stream_id)::text
                     || ',"type":' || to_json(type)::text || '}', 'UTF8')) AS digest
              FROM events
             WHERE $1::text IS NULL OR stream_id = $1
            OFFSET 0) e
    WINDOW w AS (PARTITION BY e.stream_id ORDER BY e.revision)
  ), streams AS (
    SELECT stream_id, count(*) AS events, max(position) AS last_position, bool_or(broken) AS broken,
           max(revision) AS last_revision, string_agg(hash, ''::bytea) FILTER (WHERE last) AS last_hash
      FROM links
     GROUP BY stream_id
  ), heads AS (
    SELECT stream_id, revision, last_hash FROM event_streams WHERE $1::text IS NULL OR stream_id = $1
  )
  SELECT coalesce(sum(s.events), 0)::bigint AS events,
         count(s.stream_id) AS streams,
         max(s.last_position) AS last_position,
         count(*) FILTER (WHERE s.stream_id IS NULL OR h.stream_id IS NULL OR s.broken
                            OR s.last_revision <> h.revision OR s.last_hash IS DISTINCT FROM h.last_hash) AS suspect_streams
    FROM streams s FULL JOIN heads h ON h.stream_id = s.stream_id`;

/**
 * Run inside the REPEATABLE READ transaction the rest of the check uses. The sort behind the window
 * holds a few dozen bytes per event; it is given the memory to stay off disk up to a few million.
 */
export const verifyInDatabase = async (client: pg.ClientBase, stream: string | undefined): Promise<DatabaseVerdict> => {
  await client.query(`SET LOCAL work_mem = '256MB'`);
  const { rows } = await client.query<{ events: string; streams: string; last_position: string | null; suspect_streams: string }>(
    verdictSql,
    [stream ?? null],
  );
  const row = rows[0];
  if (row === undefined) throw new Error('the verdict query answered no row');
  return {
    events: Number(row.events),
    streams: Number(row.streams),
    lastPosition: row.last_position === null ? null : BigInt(row.last_position),
    suspectStreams: Number(row.suspect_streams),
  };
};
