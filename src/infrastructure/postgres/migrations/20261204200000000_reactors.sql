-- Up Migration

-- Where each reactor is: its own checkpoint, never a projection's, so that a projection rebuild
-- never re-runs a side effect. `position` is the last event handled (or parked); -1: none.
CREATE TABLE reactor_state (
  name        text        PRIMARY KEY,
  position    bigint      NOT NULL DEFAULT -1,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Events a reactor failed on after its retries. The reactor goes on past them (a side effect held up
-- would hold up every later one); `fastflix reactors status` lists them until resolved.
CREATE TABLE reactor_parked (
  id          bigserial   PRIMARY KEY,
  reactor     text        NOT NULL,
  position    bigint      NOT NULL,
  event_id    uuid        NOT NULL,
  event_type  text        NOT NULL,
  error       text        NOT NULL,
  attempts    integer     NOT NULL,
  parked_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX reactor_parked_unresolved ON reactor_parked (reactor) WHERE resolved_at IS NULL;

-- One row per effect done: (reactor, causing event, effect key). Delivery is at least once; an
-- effect recorded here in the transaction that does it (or right after an external one) is not done again.
CREATE TABLE reactor_effects (
  reactor     text        NOT NULL,
  event_id    uuid        NOT NULL,
  effect      text        NOT NULL DEFAULT '',
  done_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (reactor, event_id, effect)
);

-- Down Migration
DROP TABLE reactor_effects;
DROP TABLE reactor_parked;
DROP TABLE reactor_state;
