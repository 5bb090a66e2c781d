-- Up Migration

-- One key per account, kept outside the event log: the personal fields of its events (e-mail address,
-- display name) are stored sealed with it (AES-256-GCM, src/infrastructure/personalData), so that
-- destroying the key erases them while every hash chain, which hashes the sealed text, still verifies.
-- Forgetting an account sets `key` to NULL and stamps `forgotten_at` rather than deleting the row: the
-- row is then what tells readers that plain personal fields of events written before sealing (which
-- cannot be rewritten) belong to a forgotten account and must read as redacted.
-- Back this table up as carefully as the log, and separately from it (README, Forgetting a user).
CREATE TABLE personal_data_keys (
  user_id      uuid        PRIMARY KEY,
  key          bytea       CHECK (key IS NULL OR octet_length(key) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  forgotten_at timestamptz,
  CHECK ((key IS NULL) = (forgotten_at IS NOT NULL))
);

-- Down Migration
DROP TABLE personal_data_keys;
