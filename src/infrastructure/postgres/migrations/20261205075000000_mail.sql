-- Up Migration

-- One row per mail handed to the mail server (or written to a file), keyed by the event that caused
-- it: a mail job that runs again (a retry after a lost answer, a `jobs retry`, a re-enqueue after a
-- replay) finds its row and sends nothing.
CREATE TABLE mail_deliveries (
  event_id     uuid        PRIMARY KEY,
  kind         text        NOT NULL,
  message_id   text        NOT NULL,
  delivered_at timestamptz NOT NULL DEFAULT now()
);

-- Reset tokens waiting for their mail. The event log keeps only a token's hash (auditors read the
-- log; only the mailbox may see the token), so the request leaves the token here, sealed with a key
-- derived from the service's secret, for the mail job to open; the row goes once the mail is sent,
-- and is of no use after `expires_at` (the token is refused by then).
CREATE TABLE password_reset_outbox (
  token_hash  text        PRIMARY KEY,
  user_id     uuid        NOT NULL,
  sealed      text        NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_outbox_expiry ON password_reset_outbox (expires_at);

-- Down Migration
DROP TABLE password_reset_outbox;
DROP TABLE mail_deliveries;
