-- Up Migration

-- Moves a projection's checkpoint from p_from to p_to, or fails with SQLSTATE FF409 when it is not at
-- p_from (another instance moved it: this one is fenced out). The last statement of a batch's
-- transaction, sent in the round trip of its COMMIT: a fenced-out batch fails there and rolls back,
-- so a batch's effects and its checkpoint still land together or not at all. With p_announce, the
-- new position is notified on fastflix_projections for read-your-writes, delivered at commit.
CREATE FUNCTION advance_projection(p_name text, p_from bigint, p_to bigint, p_announce boolean)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE projection_state SET position = p_to, updated_at = now() WHERE name = p_name AND position = p_from;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the checkpoint of % moved under this instance', p_name USING ERRCODE = 'FF409';
  END IF;
  IF p_announce THEN
    PERFORM pg_notify('fastflix_projections', p_name || ' ' || p_to);
  END IF;
END
$$;

-- Down Migration
DROP FUNCTION advance_projection(text, bigint, bigint, boolean);
