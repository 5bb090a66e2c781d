-- Activity per movie per hour, the hour being when it happened (the event's occurredAt), so that an
-- import keeps its own history. Counts only, in integers: a rebuild folds the same events in other
-- batches and must come to the same rows. What a rating weighs, and how activity decays, is decided
-- when the trending list is read (src/queries/trendingMovies/query.ts).
CREATE TABLE activity (
  movie_id           uuid        NOT NULL,
  hour               timestamptz NOT NULL,
  watches            integer     NOT NULL,
  ratings            integer     NOT NULL,
  -- Sum of the ratings' scores in half stars (1 = 0.5 … 10 = 5.0).
  rating_half_stars  integer     NOT NULL,
  PRIMARY KEY (movie_id, hour)
);
-- The sliding windows read a range of hours across all movies; the newest hour with activity is the
-- last entry.
CREATE INDEX activity_by_hour ON activity (hour, movie_id) INCLUDE (watches, ratings, rating_half_stars);
