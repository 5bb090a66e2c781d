-- Up Migration

-- The top ten each user was last told of (`recommendations.updated`), so that the reactor pushes only
-- when it changes. `position`: the event (or the similarity computation's source position) it was
-- computed after; an older computation never replaces a newer one.
CREATE TABLE reactor_top_ten (
  user_id     uuid        PRIMARY KEY,
  movie_ids   uuid[]      NOT NULL,
  position    bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE reactor_top_ten;
