-- What each user did with each movie, as the co-watch model needs it: the current rating (null when
-- none, or retracted), whether they watched it, and when they last rated or watched it. A row goes
-- when nothing is left (a retracted rating of a movie never watched).
CREATE TABLE interactions (
  user_id   uuid          NOT NULL,
  movie_id  uuid          NOT NULL,
  score     numeric(2, 1),
  watched   boolean       NOT NULL,
  at        timestamptz   NOT NULL,
  PRIMARY KEY (user_id, movie_id)
);

-- The position of the last event that changed `interactions`: the similarity refresh compares it with
-- the one it last computed from, to know whether there is anything new (see refresh.ts). A position,
-- not a counter of batches, so that a rebuild comes to the same row.
CREATE TABLE source (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position   bigint  NOT NULL
);
INSERT INTO source (position) VALUES (-1);
