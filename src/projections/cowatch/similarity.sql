-- The co-watch model's tables, recomputed from rm_cowatch.interactions by refresh.ts. Not a
-- projection's schema: they are not folded from events but derived from a read model on a timer, so
-- a projection rebuild neither compares nor swaps them. One row per movie, its neighbours best first.
CREATE SCHEMA IF NOT EXISTS similarity;

CREATE TABLE IF NOT EXISTS similarity.also_watched (
  movie_id      uuid    PRIMARY KEY,
  neighbour_ids uuid[]  NOT NULL,
  similarities  real[]  NOT NULL
);

CREATE TABLE IF NOT EXISTS similarity.item_neighbours (
  movie_id      uuid    PRIMARY KEY,
  neighbour_ids uuid[]  NOT NULL,
  similarities  real[]  NOT NULL
);

-- What the tables were computed from, and when.
CREATE TABLE IF NOT EXISTS similarity.state (
  singleton        boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  model_version    text        NOT NULL,
  source_position  bigint      NOT NULL,
  computed_at      timestamptz NOT NULL,
  took_ms          integer     NOT NULL,
  interactions     integer     NOT NULL,
  movies           integer     NOT NULL
);
