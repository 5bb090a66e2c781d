-- Up Migration

-- The event log. `position` is the global order, and it is derived from the appending transaction's id:
--
--     position = (xid << 20) | index of the event within that transaction
--
-- Readers only read below `pg_snapshot_xmin(pg_current_snapshot()) << 20`: every transaction with a
-- smaller id has committed or aborted, so nothing can ever appear below that horizon later. A
-- transaction that commits late therefore never lands behind a subscriber's checkpoint: its events
-- simply become readable once it (and every older transaction) has finished. Positions are sparse and
-- strictly increasing in the order readers see them, so a checkpoint is one bigint and every read is a
-- primary-key range scan whose cost does not grow with the log.
CREATE TABLE events (
  position       bigint      PRIMARY KEY,
  stream_id      text        NOT NULL,
  revision       bigint      NOT NULL,
  event_id       uuid        NOT NULL,
  type           text        NOT NULL,
  schema_version integer     NOT NULL,
  -- `json`, not `jsonb`: the text is kept exactly as hashed, and json accepts every JSON string (jsonb
  -- rejects \u0000). Read models, not the log, are where JSON gets queried.
  data           json        NOT NULL,
  metadata       json        NOT NULL,
  -- SHA-256(previous hash in the stream || SHA-256(canonical JSON of the event)), for auditors.
  hash           bytea       NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
);
-- No index on event_id: every index is paid for on every append (this one cost a third of the
-- throughput of 100-event batches). Idempotency needs ids only within one stream, near a known
-- revision, which the (stream_id, revision) index finds.

-- One row a stream: its last revision and hash. The row lock taken here is what serialises appends to
-- one stream; appends to different streams never wait for each other. Updated on every append, so
-- pages keep room for HOT updates.
CREATE TABLE event_streams (
  stream_id text   PRIMARY KEY,
  revision  bigint NOT NULL,
  last_hash bytea  NOT NULL
) WITH (fillfactor = 70);

-- Appends to one or more streams in one transaction and one round trip. The client groups appends
-- that arrive while others are in flight, so concurrent writers share commits.
--
-- The i-th append targets p_streams[i] with expected revision p_expected[i] (an exact revision >= 0,
-- or -1 no stream, -2 any, -3 the stream exists) and carries p_counts[i] events, laid out one after
-- another in the event arrays. Data and metadata come as one JSON array each: JSON texts nest in a
-- JSON array as they are, where an SQL array literal would need every quote escaped. Appends are taken in the order given; the client sorts them by stream
-- so that concurrent groups lock streams in one order and cannot deadlock.
--
-- Each append has its own outcome, one row each:
--   appended      its events are written
--   duplicate     the same events were appended before (a retry): nothing written, the first result
--   conflict      the expected revision does not match `revision`, the stream's actual one (-1: none)
--   duplicate_id  some of the event ids were used before, but not as this same append
-- An append that is not `appended` writes nothing and does not disturb the others.
CREATE FUNCTION append_events(
  p_streams         text[],
  p_expected        bigint[],
  p_counts          integer[],
  p_event_ids       uuid[],
  p_types           text[],
  p_schema_versions integer[],
  p_data            json,
  p_metadata        json,
  p_digests         bytea[]
) RETURNS TABLE (outcome text, revision bigint, first_position bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_base      bigint;
  v_next      bigint;
  v_offset    integer := 0;
  v_count     integer;
  v_ids       uuid[];
  v_current   bigint;
  v_hash      bytea;
  v_expected  bigint;
  v_last      integer;
  v_hashes    bytea[];
  v_data      json[]    := ARRAY(SELECT d.value FROM json_array_elements(p_data) WITH ORDINALITY AS d(value, n) ORDER BY d.n);
  v_metadata  json[]    := ARRAY(SELECT m.value FROM json_array_elements(p_metadata) WITH ORDINALITY AS m(value, n) ORDER BY m.n);
BEGIN
  v_base := pg_current_xact_id()::text::bigint << 20;
  -- Several calls in one transaction continue the numbering.
  SELECT coalesce(max(e.position) + 1, v_base) INTO v_next
    FROM events e WHERE e.position >= v_base AND e.position < v_base + 1048576;
  IF v_next + coalesce(cardinality(p_event_ids), 0) > v_base + 1048576 THEN
    RAISE EXCEPTION 'too many events in one transaction (at most 1048576)' USING ERRCODE = 'FF413';
  END IF;

  FOR i IN 1 .. coalesce(cardinality(p_streams), 0) LOOP
    v_count    := p_counts[i];
    v_expected := p_expected[i];
    v_last     := v_offset + v_count;
    v_ids      := p_event_ids[v_offset + 1 : v_last];

    IF v_count > 0 AND v_expected IN (-1, -2) THEN
      -- Maybe a new stream, the common case (a registration, a first rating, an import): try to
      -- create its row with the final revision and hash straight away; then its events go in, two
      -- statements in all. A concurrent creator makes ON CONFLICT wait for its commit and do nothing.
      v_hash := decode(repeat('00', 32), 'hex');
      v_hashes := '{}';
      FOR j IN 1 .. v_count LOOP
        v_hash   := sha256(v_hash || p_digests[v_offset + j]);
        v_hashes := v_hashes || v_hash;
      END LOOP;
      INSERT INTO event_streams (stream_id, revision, last_hash)
        VALUES (p_streams[i], v_count - 1, v_hash) ON CONFLICT DO NOTHING;
      IF FOUND THEN
        INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash)
        SELECT v_next + x.n - 1, p_streams[i], x.n - 1, x.id, x.type, x.version, x.data, x.metadata, x.hash
          FROM unnest(v_ids, p_types[v_offset + 1 : v_last], p_schema_versions[v_offset + 1 : v_last],
                      v_data[v_offset + 1 : v_last], v_metadata[v_offset + 1 : v_last], v_hashes)
               WITH ORDINALITY AS x(id, type, version, data, metadata, hash, n);
        outcome := 'appended';
        revision := v_count - 1;
        first_position := v_next;
        last_position := v_next + v_count - 1;
        v_next := v_next + v_count;
        RETURN NEXT;
        v_offset := v_last;
        CONTINUE;
      END IF;
    END IF;

    -- The stream exists (or the append is empty): lock it and check the expectation.
    SELECT s.revision, s.last_hash INTO v_current, v_hash
      FROM event_streams s WHERE s.stream_id = p_streams[i] FOR UPDATE;
    IF NOT FOUND THEN
      v_current := -1;
      v_hash := decode(repeat('00', 32), 'hex');
    END IF;

    IF NOT (v_expected = -2
            OR (v_expected = -1 AND v_current = -1)
            OR (v_expected = -3 AND v_current >= 0)
            OR v_expected = v_current) THEN
      SELECT * INTO outcome, revision, first_position, last_position
        FROM previous_append(p_streams[i], v_expected, v_ids, v_current, false);
    ELSIF v_expected IN (-2, -3) AND v_count > 0
          AND EXISTS (SELECT 1 FROM events e
                       WHERE e.stream_id = p_streams[i] AND e.revision > v_current - v_count - 16
                         AND e.event_id = ANY (v_ids)) THEN
      -- With exact expectations a retry fails the revision check above; with `any` it is looked for
      -- among the stream's latest events, as EventStoreDB does.
      SELECT * INTO outcome, revision, first_position, last_position
        FROM previous_append(p_streams[i], v_expected, v_ids, v_current, true);
    ELSIF v_count = 0 THEN
      outcome := 'appended';
      revision := v_current;
      first_position := NULL;
      last_position := NULL;
    ELSE
      v_hashes := '{}';
      FOR j IN 1 .. v_count LOOP
        v_hash   := sha256(v_hash || p_digests[v_offset + j]);
        v_hashes := v_hashes || v_hash;
      END LOOP;
      INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash)
      SELECT v_next + x.n - 1, p_streams[i], v_current + x.n, x.id, x.type, x.version, x.data, x.metadata, x.hash
        FROM unnest(v_ids, p_types[v_offset + 1 : v_last], p_schema_versions[v_offset + 1 : v_last],
                    v_data[v_offset + 1 : v_last], v_metadata[v_offset + 1 : v_last], v_hashes)
             WITH ORDINALITY AS x(id, type, version, data, metadata, hash, n);
      UPDATE event_streams SET revision = v_current + v_count, last_hash = v_hash WHERE stream_id = p_streams[i];
      outcome := 'appended';
      revision := v_current + v_count;
      first_position := v_next;
      last_position := v_next + v_count - 1;
      v_next := v_next + v_count;
    END IF;

    RETURN NEXT;
    v_offset := v_last;
  END LOOP;
END
$$;

-- The expected revision did not match, or the ids were seen before: either this is a retry of an
-- append that already happened (same ids, same stream, in order, at the expected place), answered
-- with the original result, or it is a conflict. Returns (outcome, revision, first, last position).
CREATE FUNCTION previous_append(
  p_stream text, p_expected bigint, p_event_ids uuid[], p_current bigint, p_revision_matched boolean,
  OUT outcome text, OUT revision bigint, OUT first_position bigint, OUT last_position bigint
) LANGUAGE plpgsql AS $$
DECLARE
  v_count    integer := coalesce(cardinality(p_event_ids), 0);
  v_found    integer;
  v_first    bigint;
  v_last     bigint;
  v_in_order boolean;
BEGIN
  -- Where a retry's events must be: right after the expected revision, or (for `any`) among the latest.
  SELECT count(*), min(e.revision), max(e.revision), min(e.position), max(e.position)
    INTO v_found, v_first, v_last, first_position, last_position
    FROM events e
   WHERE e.stream_id = p_stream AND e.event_id = ANY (p_event_ids)
     AND CASE WHEN p_expected >= -1 THEN e.revision BETWEEN p_expected + 1 AND p_expected + v_count
              ELSE e.revision > p_current - v_count - 16 END;

  IF v_count > 0 AND v_found = v_count THEN
    SELECT bool_and(e.revision = v_first + x.n - 1) INTO v_in_order
      FROM unnest(p_event_ids) WITH ORDINALITY AS x(id, n)
      JOIN events e ON e.stream_id = p_stream AND e.revision BETWEEN v_first AND v_last AND e.event_id = x.id;
    IF v_in_order AND (p_expected IN (-2, -3) OR v_first = p_expected + 1) THEN
      outcome := 'duplicate';
      revision := v_last;
      RETURN;
    END IF;
  END IF;

  outcome := CASE WHEN p_revision_matched THEN 'duplicate_id' ELSE 'conflict' END;
  revision := p_current;
  first_position := NULL;
  last_position := NULL;
END
$$;

-- Down Migration
DROP FUNCTION previous_append(text, bigint, uuid[], bigint, boolean);
DROP FUNCTION append_events(text[], bigint[], integer[], uuid[], text[], integer[], json, json, bytea[]);
DROP TABLE event_streams;
DROP TABLE events;
