-- Per movie: how many rated it, the sum and a histogram in half stars (index 1 = 0.5 … 10 = 5.0),
-- kept up to date so that a movie's rating is one row to read. Scores are counted in half points
-- (integers) so that sums stay exact.
CREATE TABLE movie_ratings (
  movie_id        uuid      PRIMARY KEY,
  count           integer   NOT NULL,
  half_point_sum  bigint    NOT NULL,
  histogram       integer[] NOT NULL,
  average         numeric GENERATED ALWAYS AS (CASE WHEN count > 0 THEN round(half_point_sum / 2.0 / count, 3) END) STORED
);
-- GET /movies?sort=rating walks it backwards: best average first, more ratings first among equals.
CREATE INDEX movie_ratings_by_average ON movie_ratings (average, count, movie_id) WHERE average IS NOT NULL;

-- Per user: their current score for each movie they rated.
CREATE TABLE user_ratings (
  user_id   uuid          NOT NULL,
  movie_id  uuid          NOT NULL,
  score     numeric(2, 1) NOT NULL,
  rated_at  timestamptz   NOT NULL,
  PRIMARY KEY (user_id, movie_id)
);
CREATE INDEX user_ratings_by_user_recent ON user_ratings (user_id, rated_at DESC, movie_id);
