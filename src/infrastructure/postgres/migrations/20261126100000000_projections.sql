-- Up Migration

-- Where each projection is. A projection's tables live in a schema of their own, `rm_<name>`; a
-- rebuild fills `rm_<name>__rebuild` (state row `<name>@rebuild`) and then swaps the two schemas in
-- one transaction. `position` is the checkpoint: every event up to it has been applied (-1: none).
CREATE TABLE projection_state (
  name        text        PRIMARY KEY,
  version     integer     NOT NULL,
  position    bigint      NOT NULL DEFAULT -1,
  -- 'stopped': a poison event is parked in projection_dead_letters and nothing after it is applied.
  status      text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopped')),
  error       text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Events a projection could not apply, after retries. Never skipped silently: `fastflix projections
-- retry|skip <name>` resolves them, and the resolution is recorded here.
CREATE TABLE projection_dead_letters (
  id          bigserial   PRIMARY KEY,
  projection  text        NOT NULL,
  position    bigint      NOT NULL,
  event_id    uuid        NOT NULL,
  event_type  text        NOT NULL,
  error       text        NOT NULL,
  attempts    integer     NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  resolution  text        CHECK (resolution IN ('retried', 'skipped')),
  resolved_at timestamptz
);
CREATE INDEX projection_dead_letters_unresolved ON projection_dead_letters (projection) WHERE resolution IS NULL;

-- Down Migration
DROP TABLE projection_dead_letters;
DROP TABLE projection_state;
