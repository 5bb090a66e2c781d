-- Every viewing, rewatches included; `position` (of the event) keeps replays idempotent.
CREATE TABLE watch_history (
  position    bigint      PRIMARY KEY,
  user_id     uuid        NOT NULL,
  movie_id    uuid        NOT NULL,
  watched_at  timestamptz NOT NULL
);
CREATE INDEX watch_history_by_user_recent ON watch_history (user_id, watched_at DESC, position);
