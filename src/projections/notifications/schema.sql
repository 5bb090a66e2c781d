-- The inbox itself: one row per notification, its id derived from the causing event and the user.
CREATE TABLE notifications (
  notification_id uuid        PRIMARY KEY,
  user_id         uuid        NOT NULL,
  type            text        NOT NULL,
  cause_event_id  uuid        NOT NULL,
  cause_position  bigint      NOT NULL,
  created_at      timestamptz NOT NULL,
  read_at         timestamptz,
  detail          jsonb       NOT NULL
);
-- A page of an inbox: unread first, then newest.
CREATE INDEX notifications_inbox ON notifications (user_id, (read_at IS NULL) DESC, created_at DESC, notification_id DESC);
-- What the push reactor looks up: the notifications one event caused.
CREATE INDEX notifications_by_cause ON notifications (cause_position);

-- What deciding who to notify needs, kept here rather than read from other read models, whose
-- progress this projection cannot see: movies' titles and genres, each user's ratings per genre,
-- and who has which movie on their watchlist.
CREATE TABLE notification_movies (
  movie_id uuid   PRIMARY KEY,
  slug     text   NOT NULL,
  title    text   NOT NULL,
  genres   text[] NOT NULL
);
CREATE TABLE notification_genre_ratings (
  user_id uuid    NOT NULL,
  genre   text    NOT NULL,
  ratings integer NOT NULL,
  PRIMARY KEY (user_id, genre)
);
-- Each user's three most-rated genres (ties by name), kept as their counts change: keyed by genre, so a
-- new movie finds its audience without ranking every user's genres.
CREATE TABLE notification_top_genres (
  genre   text NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (genre, user_id)
);
-- Keyed by movie first: a change of a movie looks up its watchers.
CREATE TABLE notification_watchlists (
  movie_id uuid NOT NULL,
  user_id  uuid NOT NULL,
  PRIMARY KEY (movie_id, user_id)
);
-- notification_ratings, the ledger of which genres each rating was counted under, is made in
-- statements.ts (ratingsLedgerSchema), where a read model of version 2 gets it at its first ratings.
