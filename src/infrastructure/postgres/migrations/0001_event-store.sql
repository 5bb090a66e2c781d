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
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
  CONSTRAINT events_event_id_key UNIQUE (event_id)
);

-- One row a stream: its last revision and hash. The row lock taken here is what serialises appends to
-- one stream; appends to different streams never wait for each other.
CREATE TABLE event_streams (
  stream_id text   PRIMARY KEY,
  revision  bigint NOT NULL,
  last_hash bytea  NOT NULL
);

-- Appends events to one stream in a single round trip.
--   p_expected: an exact revision (>= 0), or -1 no stream, -2 any, -3 the stream exists.
-- Returns the outcome ('appended' or 'duplicate' for an idempotent re-append), the stream's revision
-- after the events, and the positions of the first and last event.
-- Raises SQLSTATE FF409 when the expected revision does not match (DETAIL carries the actual one),
-- and FF410 when some but not all of the event ids were appended before.
CREATE FUNCTION append_to_stream(
  p_stream          text,
  p_expected        bigint,
  p_event_ids       uuid[],
  p_types           text[],
  p_schema_versions integer[],
  p_data            json[],
  p_metadata        json[],
  p_digests         bytea[]
) RETURNS TABLE (outcome text, revision bigint, first_position bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_count   integer := coalesce(cardinality(p_event_ids), 0);
  v_current bigint;
  v_hash    bytea;
  v_hashes  bytea[];
  v_base    bigint;
BEGIN
  SELECT s.revision, s.last_hash INTO v_current, v_hash
    FROM event_streams s WHERE s.stream_id = p_stream FOR UPDATE;
  IF NOT FOUND AND v_count = 0 THEN
    v_current := -1;
  ELSIF NOT FOUND THEN
    -- A concurrent creator of the same stream makes this wait for its commit, then do nothing.
    INSERT INTO event_streams (stream_id, revision, last_hash)
      VALUES (p_stream, -1, decode(repeat('00', 32), 'hex')) ON CONFLICT DO NOTHING;
    SELECT s.revision, s.last_hash INTO v_current, v_hash
      FROM event_streams s WHERE s.stream_id = p_stream FOR UPDATE;
  END IF;

  IF NOT (p_expected = -2
          OR (p_expected = -1 AND v_current = -1)
          OR (p_expected = -3 AND v_current >= 0)
          OR p_expected = v_current) THEN
    RETURN QUERY SELECT * FROM previous_append(p_stream, p_expected, p_event_ids, v_current, false);
    RETURN;
  END IF;
  -- With exact expectations a retry fails the revision check above; with `any` it must be looked for.
  IF p_expected IN (-2, -3) AND v_count > 0
     AND EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY (p_event_ids)) THEN
    RETURN QUERY SELECT * FROM previous_append(p_stream, p_expected, p_event_ids, v_current, true);
    RETURN;
  END IF;

  IF v_count = 0 THEN
    RETURN QUERY SELECT 'appended'::text, v_current, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;

  v_base := pg_current_xact_id()::text::bigint << 20;
  -- Several appends in one transaction continue the numbering.
  SELECT coalesce(max(e.position) + 1, v_base) INTO v_base
    FROM events e WHERE e.position >= v_base AND e.position < v_base + 1048576;
  IF v_base + v_count > ((v_base >> 20) + 1) << 20 THEN
    RAISE EXCEPTION 'too many events in one transaction (at most 1048576)' USING ERRCODE = 'FF413';
  END IF;

  v_hashes := array_fill(NULL::bytea, ARRAY[v_count]);
  FOR i IN 1 .. v_count LOOP
    v_hash := sha256(v_hash || p_digests[i]);
    v_hashes[i] := v_hash;
  END LOOP;

  INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash)
  SELECT v_base + x.n - 1, p_stream, v_current + x.n, x.id, x.type, x.version, x.data, x.metadata, x.hash
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata, v_hashes)
         WITH ORDINALITY AS x(id, type, version, data, metadata, hash, n);

  UPDATE event_streams SET revision = v_current + v_count, last_hash = v_hash WHERE stream_id = p_stream;

  RETURN QUERY SELECT 'appended'::text, v_current + v_count, v_base, v_base + v_count - 1;
END
$$;

-- The expected revision did not match, or the ids were seen before: either this is a retry of an
-- append that already happened (same ids, same stream, in order, at the expected place), answered
-- with the original result, or it is a conflict.
CREATE FUNCTION previous_append(
  p_stream text, p_expected bigint, p_event_ids uuid[], p_current bigint, p_revision_matched boolean
) RETURNS TABLE (outcome text, revision bigint, first_position bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_count    integer := coalesce(cardinality(p_event_ids), 0);
  v_found    integer;
  v_first    bigint;
  v_last     bigint;
  v_first_p  bigint;
  v_last_p   bigint;
  v_in_order boolean;
BEGIN
  SELECT count(*), min(e.revision), max(e.revision), min(e.position), max(e.position)
    INTO v_found, v_first, v_last, v_first_p, v_last_p
    FROM events e WHERE e.event_id = ANY (p_event_ids) AND e.stream_id = p_stream;

  IF v_count > 0 AND v_found = v_count THEN
    SELECT bool_and(e.revision = v_first + x.n - 1) INTO v_in_order
      FROM unnest(p_event_ids) WITH ORDINALITY AS x(id, n) JOIN events e ON e.event_id = x.id;
    IF v_in_order AND (p_expected = -2 OR p_expected = -3 OR v_first = p_expected + 1) THEN
      RETURN QUERY SELECT 'duplicate'::text, v_last, v_first_p, v_last_p;
      RETURN;
    END IF;
  END IF;

  IF p_revision_matched THEN
    RAISE EXCEPTION 'some of these event ids were appended before, not as this append'
      USING ERRCODE = 'FF410', DETAIL = json_build_object('stream', p_stream)::text;
  END IF;
  RAISE EXCEPTION 'wrong expected revision for stream %', p_stream
    USING ERRCODE = 'FF409', DETAIL = json_build_object('expected', p_expected::text, 'actual', p_current::text)::text;
END
$$;

-- Down Migration
DROP FUNCTION previous_append(text, bigint, uuid[], bigint, boolean);
DROP FUNCTION append_to_stream(text, bigint, uuid[], text[], integer[], json[], json[], bytea[]);
DROP TABLE event_streams;
DROP TABLE events;
