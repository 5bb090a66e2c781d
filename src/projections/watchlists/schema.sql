CREATE TABLE watchlist_entries (
  user_id   uuid        NOT NULL,
  movie_id  uuid        NOT NULL,
  added_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, movie_id)
);
CREATE INDEX watchlist_entries_by_user_recent ON watchlist_entries (user_id, added_at DESC, movie_id);
