-- Up Migration

-- A request that failed keeps its row, marked, rather than losing it: its retry takes the row over and
-- keeps `created_at`, from which the events' ids derive, so that a first attempt that did append before
-- failing is recognised by the store and not appended twice (idempotency.ts). Rows expire by
-- `created_at` (IDEMPOTENCY_KEY_TTL) and are swept by the API (idempotencySweep.ts).
ALTER TABLE idempotency_keys ADD COLUMN failed boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE idempotency_keys DROP COLUMN failed;
