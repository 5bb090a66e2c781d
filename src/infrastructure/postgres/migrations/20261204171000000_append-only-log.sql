-- Up Migration

-- The log is append-only in the database too: a row trigger refuses UPDATE and DELETE on `events`, a
-- statement trigger refuses TRUNCATE, and `event_streams` (one row a stream: its head) may only move
-- forward: a stream's row is never deleted, and an update must raise its revision (as every append
-- does) and keep its name. The WHEN clause is checked without calling the function, so the appends
-- that move a head pay nothing for it; inserts are not watched at all.
--
-- This stops mistakes and the service's own roles, not an operator with rights: the table's owner or
-- a superuser can still `ALTER TABLE events DISABLE TRIGGER USER`, `SET session_replication_role =
-- replica` for a session (row triggers then do not fire), drop the trigger, or edit the files under
-- the server. What catches that is the hash chain: `fastflix audit verify` recomputes every stream's
-- chain and checks it against the recorded head, and reports the first event changed, removed or
-- added; a head rewritten along with the events is caught by comparing with an earlier export's
-- manifest (`fastflix audit export`, kept elsewhere).
CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: the event log is append-only (fastflix audit verify checks it)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'FF403';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

CREATE TRIGGER event_streams_no_delete BEFORE DELETE ON event_streams
  FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER event_streams_forward_only BEFORE UPDATE ON event_streams
  FOR EACH ROW WHEN (NEW.revision <= OLD.revision OR NEW.stream_id IS DISTINCT FROM OLD.stream_id)
  EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER event_streams_no_truncate BEFORE TRUNCATE ON event_streams
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

-- Down Migration
DROP TRIGGER event_streams_no_truncate ON event_streams;
DROP TRIGGER event_streams_forward_only ON event_streams;
DROP TRIGGER event_streams_no_delete ON event_streams;
DROP TRIGGER events_no_truncate ON events;
DROP TRIGGER events_append_only ON events;
DROP FUNCTION refuse_log_change();
