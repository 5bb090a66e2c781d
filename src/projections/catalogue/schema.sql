-- The catalogue: one row per movie, archived ones included (flagged), with its search document.
CREATE TABLE movies (
  movie_id     uuid        PRIMARY KEY,
  slug         text        NOT NULL UNIQUE,
  title        text        NOT NULL,
  year         integer,
  genres       text[]      NOT NULL,
  overview     text        NOT NULL,
  runtime      integer,
  external_ids jsonb       NOT NULL,
  archived     boolean     NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  -- Title weighs most (A), then genres (B), then the overview (C); kept by the projector because
  -- array_to_string is not immutable enough for a generated column.
  search       tsvector    NOT NULL
);
-- The indexes serve GET /movies (src/queries/searchMovies/query.ts):
--   full text: matches of the whole document; the title alone, so that a search reads the movies whose
--   title matches (ranked first) without touching the usually far more numerous overview matches;
--   keysets: year (unknown years as 0, last), title and, through the primary key, movie id;
--   filters: genre.
CREATE INDEX movies_search ON movies USING gin (search);
CREATE INDEX movies_title_search ON movies USING gin (to_tsvector('english', title)) WHERE NOT archived;
CREATE INDEX movies_by_year ON movies ((coalesce(year, 0)), movie_id) WHERE NOT archived;
CREATE INDEX movies_by_title ON movies (lower(title), movie_id) WHERE NOT archived;
CREATE INDEX movies_by_genre ON movies USING gin (genres) WHERE NOT archived;
-- The few archived movies, for lists that rank other read models' rows and leave these out
-- (GET /movies/trending): a small set to subtract instead of a join with the whole catalogue.
CREATE INDEX movies_archived ON movies (movie_id) WHERE archived;
