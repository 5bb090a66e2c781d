-- Each login session and how it stands. A session whose account changed its password after it
-- started has ended too (unless it made the change): that is one row per account in
-- account_session_ends, read beside the sessions, rather than an update of every session of the
-- account, so that every row is found by its key (projection.ts).
CREATE TABLE sessions (
  session_id    uuid        PRIMARY KEY,
  user_id       uuid        NOT NULL,
  started_at    timestamptz NOT NULL,
  last_used_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz,
  end_reason    text
);
CREATE INDEX sessions_by_user_recent ON sessions (user_id, started_at DESC, session_id);

CREATE TABLE account_session_ends (
  user_id          uuid        PRIMARY KEY,
  -- Sessions started before this are over...
  ended_before     timestamptz NOT NULL,
  -- ...but this one (the session that changed the password), if any.
  kept_session_id  uuid
);
