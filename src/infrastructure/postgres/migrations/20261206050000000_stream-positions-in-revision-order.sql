-- Up Migration

-- append_events keeps each stream's positions in the order of its revisions. A position is derived
-- from the appending transaction's id, taken when the call starts, and a transaction that waits for a
-- stream's lock may be older than the one that held it: it then appended after that one's events with
-- lower positions (a stream read by position, as every subscriber reads, had revision 3 before 2; a
-- CI run of the grouped-appends spec saw it). Such a call now fails with serialization_failure
-- (40001) when it finds the stream last written by a younger transaction (the stream row's xmin, read
-- with its lock: no extra lookup), and the client runs it again. Otherwise as
-- 20261126110000000_set-based-new-streams.sql.
CREATE OR REPLACE FUNCTION append_events(
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
  v_appends      integer := coalesce(cardinality(p_streams), 0);
  v_base         bigint;
  v_next         bigint;
  v_offset       integer := 0;
  v_count        integer;
  v_ids          uuid[];
  v_current      bigint;
  v_hash         bytea;
  v_expected     bigint;
  v_last         integer;
  v_hashes       bytea[];
  v_data         json[]    := ARRAY(SELECT d.value FROM json_array_elements(p_data) WITH ORDINALITY AS d(value, n) ORDER BY d.n);
  v_metadata     json[]    := ARRAY(SELECT m.value FROM json_array_elements(p_metadata) WITH ORDINALITY AS m(value, n) ORDER BY m.n);
  -- The new-stream path: per append, the hash its stream would end with and whether it was created;
  -- per event, its hash, revision and append, for the candidates.
  v_final_hash   bytea[]   := array_fill(NULL::bytea, ARRAY[v_appends]);
  v_created      boolean[] := array_fill(false, ARRAY[v_appends]);
  v_created_idx  integer[];
  v_event_hash   bytea[]   := array_fill(NULL::bytea, ARRAY[coalesce(cardinality(p_event_ids), 0)]);
  v_event_rev    bigint[]  := array_fill(NULL::bigint, ARRAY[coalesce(cardinality(p_event_ids), 0)]);
  v_event_append integer[] := array_fill(NULL::integer, ARRAY[coalesce(cardinality(p_event_ids), 0)]);
  v_new_next     bigint;
  v_new_events   integer;
  v_candidates   integer   := 0;
  v_row_age      integer;
BEGIN
  v_base := pg_current_xact_id()::text::bigint << 20;
  -- Several calls in one transaction continue the numbering.
  SELECT coalesce(max(e.position) + 1, v_base) INTO v_next
    FROM events e WHERE e.position >= v_base AND e.position < v_base + 1048576;
  IF v_next + coalesce(cardinality(p_event_ids), 0) > v_base + 1048576 THEN
    RAISE EXCEPTION 'too many events in one transaction (at most 1048576)' USING ERRCODE = 'FF413';
  END IF;

  -- New streams, set-based: the common case of a registration, a first rating, an import. Every
  -- append that may create its stream (no_stream or any, with events) gets its hash chain from the
  -- zero hash; then one statement creates the rows of all those streams that do not exist (the first
  -- such append of each stream; ON CONFLICT waits for a concurrent creator's commit and skips), and
  -- one statement writes the events of the appends that created theirs. Everything else goes through
  -- the per-append loop below: existing streams, exact revisions, retries, conflicts.
  FOR i IN 1 .. v_appends LOOP
    v_count := p_counts[i];
    IF v_count > 0 AND p_expected[i] IN (-1, -2) THEN
      v_hash := decode(repeat('00', 32), 'hex');
      FOR j IN 1 .. v_count LOOP
        v_hash := sha256(v_hash || p_digests[v_offset + j]);
        v_event_hash[v_offset + j] := v_hash;
        v_event_rev[v_offset + j] := j - 1;
        v_event_append[v_offset + j] := i;
      END LOOP;
      v_final_hash[i] := v_hash;
      v_candidates := v_candidates + 1;
    END IF;
    v_offset := v_offset + v_count;
  END LOOP;

  -- Appends to existing streams only (the usual command) skip this: no statement is spent on it.
  v_created_idx := '{}';
  IF v_candidates > 0 THEN
    WITH candidates AS (
      SELECT DISTINCT ON (a.stream) a.i, a.stream, a.count
        FROM unnest(p_streams, p_expected, p_counts) WITH ORDINALITY AS a(stream, expected, count, i)
       WHERE a.count > 0 AND a.expected IN (-1, -2)
       ORDER BY a.stream, a.i
    ), created AS (
      INSERT INTO event_streams (stream_id, revision, last_hash)
      SELECT c.stream, c.count - 1, v_final_hash[c.i] FROM candidates c ORDER BY c.stream
      ON CONFLICT DO NOTHING
      RETURNING stream_id
    )
    SELECT coalesce(array_agg(c.i), '{}') INTO v_created_idx FROM candidates c JOIN created ON created.stream_id = c.stream;
    FOREACH v_last IN ARRAY v_created_idx LOOP
      v_created[v_last] := true;
    END LOOP;
  END IF;

  v_new_next := v_next;
  IF cardinality(v_created_idx) > 0 THEN
    INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash)
    SELECT v_next + row_number() OVER (ORDER BY x.n) - 1, p_streams[x.a], x.rev, x.id, x.type, x.version, x.data, x.metadata, x.hash
      FROM unnest(p_event_ids, p_types, p_schema_versions, v_data, v_metadata, v_event_hash, v_event_rev, v_event_append)
           WITH ORDINALITY AS x(id, type, version, data, metadata, hash, rev, a, n)
     WHERE x.a IS NOT NULL AND v_created[x.a];
    GET DIAGNOSTICS v_new_events = ROW_COUNT;
    v_next := v_next + v_new_events;
  END IF;

  v_offset := 0;
  FOR i IN 1 .. v_appends LOOP
    v_count    := p_counts[i];
    v_expected := p_expected[i];
    v_last     := v_offset + v_count;

    IF v_created[i] THEN
      -- Written above; its positions follow those of the earlier new streams, in append order.
      outcome := 'appended';
      revision := v_count - 1;
      first_position := v_new_next;
      last_position := v_new_next + v_count - 1;
      v_new_next := v_new_next + v_count;
      RETURN NEXT;
      v_offset := v_last;
      CONTINUE;
    END IF;

    v_ids := p_event_ids[v_offset + 1 : v_last];

    -- The stream exists (or the append is empty): lock it and check the expectation.
    SELECT s.revision, s.last_hash, age(s.xmin) INTO v_current, v_hash, v_row_age
      FROM event_streams s WHERE s.stream_id = p_streams[i] FOR UPDATE;
    IF NOT FOUND THEN
      v_current := -1;
      v_hash := decode(repeat('00', 32), 'hex');
    ELSIF v_row_age < 0 THEN
      -- The stream was last written by a transaction younger than this one (it took the lock first,
      -- and this one waited for its commit): events written here would take positions below its
      -- events at lower revisions. A serialization failure: the client runs the call again, in a
      -- transaction younger than every one that has committed.
      RAISE EXCEPTION 'stream % was appended to by a younger transaction', p_streams[i] USING ERRCODE = 'serialization_failure';
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
      IF v_current = -1 THEN
        -- Not created above although its expectation allowed it (its stream was created by an earlier
        -- append of this call, or by a transaction that rolled back since): create its row now.
        INSERT INTO event_streams (stream_id, revision, last_hash) VALUES (p_streams[i], v_count - 1, v_hash);
      ELSE
        UPDATE event_streams SET revision = v_current + v_count, last_hash = v_hash WHERE stream_id = p_streams[i];
      END IF;
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


-- Down Migration
CREATE OR REPLACE FUNCTION append_events(
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
  v_appends      integer := coalesce(cardinality(p_streams), 0);
  v_base         bigint;
  v_next         bigint;
  v_offset       integer := 0;
  v_count        integer;
  v_ids          uuid[];
  v_current      bigint;
  v_hash         bytea;
  v_expected     bigint;
  v_last         integer;
  v_hashes       bytea[];
  v_data         json[]    := ARRAY(SELECT d.value FROM json_array_elements(p_data) WITH ORDINALITY AS d(value, n) ORDER BY d.n);
  v_metadata     json[]    := ARRAY(SELECT m.value FROM json_array_elements(p_metadata) WITH ORDINALITY AS m(value, n) ORDER BY m.n);
  -- The new-stream path: per append, the hash its stream would end with and whether it was created;
  -- per event, its hash, revision and append, for the candidates.
  v_final_hash   bytea[]   := array_fill(NULL::bytea, ARRAY[v_appends]);
  v_created      boolean[] := array_fill(false, ARRAY[v_appends]);
  v_created_idx  integer[];
  v_event_hash   bytea[]   := array_fill(NULL::bytea, ARRAY[coalesce(cardinality(p_event_ids), 0)]);
  v_event_rev    bigint[]  := array_fill(NULL::bigint, ARRAY[coalesce(cardinality(p_event_ids), 0)]);
  v_event_append integer[] := array_fill(NULL::integer, ARRAY[coalesce(cardinality(p_event_ids), 0)]);
  v_new_next     bigint;
  v_new_events   integer;
  v_candidates   integer   := 0;
BEGIN
  v_base := pg_current_xact_id()::text::bigint << 20;
  -- Several calls in one transaction continue the numbering.
  SELECT coalesce(max(e.position) + 1, v_base) INTO v_next
    FROM events e WHERE e.position >= v_base AND e.position < v_base + 1048576;
  IF v_next + coalesce(cardinality(p_event_ids), 0) > v_base + 1048576 THEN
    RAISE EXCEPTION 'too many events in one transaction (at most 1048576)' USING ERRCODE = 'FF413';
  END IF;

  -- New streams, set-based: the common case of a registration, a first rating, an import. Every
  -- append that may create its stream (no_stream or any, with events) gets its hash chain from the
  -- zero hash; then one statement creates the rows of all those streams that do not exist (the first
  -- such append of each stream; ON CONFLICT waits for a concurrent creator's commit and skips), and
  -- one statement writes the events of the appends that created theirs. Everything else goes through
  -- the per-append loop below: existing streams, exact revisions, retries, conflicts.
  FOR i IN 1 .. v_appends LOOP
    v_count := p_counts[i];
    IF v_count > 0 AND p_expected[i] IN (-1, -2) THEN
      v_hash := decode(repeat('00', 32), 'hex');
      FOR j IN 1 .. v_count LOOP
        v_hash := sha256(v_hash || p_digests[v_offset + j]);
        v_event_hash[v_offset + j] := v_hash;
        v_event_rev[v_offset + j] := j - 1;
        v_event_append[v_offset + j] := i;
      END LOOP;
      v_final_hash[i] := v_hash;
      v_candidates := v_candidates + 1;
    END IF;
    v_offset := v_offset + v_count;
  END LOOP;

  -- Appends to existing streams only (the usual command) skip this: no statement is spent on it.
  v_created_idx := '{}';
  IF v_candidates > 0 THEN
    WITH candidates AS (
      SELECT DISTINCT ON (a.stream) a.i, a.stream, a.count
        FROM unnest(p_streams, p_expected, p_counts) WITH ORDINALITY AS a(stream, expected, count, i)
       WHERE a.count > 0 AND a.expected IN (-1, -2)
       ORDER BY a.stream, a.i
    ), created AS (
      INSERT INTO event_streams (stream_id, revision, last_hash)
      SELECT c.stream, c.count - 1, v_final_hash[c.i] FROM candidates c ORDER BY c.stream
      ON CONFLICT DO NOTHING
      RETURNING stream_id
    )
    SELECT coalesce(array_agg(c.i), '{}') INTO v_created_idx FROM candidates c JOIN created ON created.stream_id = c.stream;
    FOREACH v_last IN ARRAY v_created_idx LOOP
      v_created[v_last] := true;
    END LOOP;
  END IF;

  v_new_next := v_next;
  IF cardinality(v_created_idx) > 0 THEN
    INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash)
    SELECT v_next + row_number() OVER (ORDER BY x.n) - 1, p_streams[x.a], x.rev, x.id, x.type, x.version, x.data, x.metadata, x.hash
      FROM unnest(p_event_ids, p_types, p_schema_versions, v_data, v_metadata, v_event_hash, v_event_rev, v_event_append)
           WITH ORDINALITY AS x(id, type, version, data, metadata, hash, rev, a, n)
     WHERE x.a IS NOT NULL AND v_created[x.a];
    GET DIAGNOSTICS v_new_events = ROW_COUNT;
    v_next := v_next + v_new_events;
  END IF;

  v_offset := 0;
  FOR i IN 1 .. v_appends LOOP
    v_count    := p_counts[i];
    v_expected := p_expected[i];
    v_last     := v_offset + v_count;

    IF v_created[i] THEN
      -- Written above; its positions follow those of the earlier new streams, in append order.
      outcome := 'appended';
      revision := v_count - 1;
      first_position := v_new_next;
      last_position := v_new_next + v_count - 1;
      v_new_next := v_new_next + v_count;
      RETURN NEXT;
      v_offset := v_last;
      CONTINUE;
    END IF;

    v_ids := p_event_ids[v_offset + 1 : v_last];

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
      IF v_current = -1 THEN
        -- Not created above although its expectation allowed it (its stream was created by an earlier
        -- append of this call, or by a transaction that rolled back since): create its row now.
        INSERT INTO event_streams (stream_id, revision, last_hash) VALUES (p_streams[i], v_count - 1, v_hash);
      ELSE
        UPDATE event_streams SET revision = v_current + v_count, last_hash = v_hash WHERE stream_id = p_streams[i];
      END IF;
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

