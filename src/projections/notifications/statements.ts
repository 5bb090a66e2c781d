import { redacted } from '../../infrastructure/personalData/personalFields.ts';
import type { Statement } from '../runtime/statements.ts';

// The SQL of the notifications projection, one builder per change. A notification's id is the MD5 of
// its causing event's id and its user's, read as a UUID: a rebuild gives every notification the id it
// had, so that a NotificationRead recorded against it still finds it.

const notificationId = (eventParameter: string, userColumn: string): string =>
  `md5(${eventParameter}::text || '/' || ${userColumn}::text)::uuid`;

export interface Cause {
  readonly eventId: string;
  readonly position: bigint;
  readonly at: string;
}

export interface MovieRow {
  readonly movie_id: string;
  readonly slug: string;
  readonly title: string;
  readonly genres: readonly string[];
}

export const insertMovies = (movies: readonly MovieRow[]): Statement => ({
  text: `INSERT INTO notification_movies (movie_id, slug, title, genres)
         SELECT m.movie_id, m.slug, m.title, m.genres FROM jsonb_to_recordset($1::jsonb) AS m(movie_id uuid, slug text, title text, genres text[])
         ON CONFLICT (movie_id) DO NOTHING`,
  values: [JSON.stringify(movies)],
});

export const changeMovie = (movieId: string, title: string | undefined, genres: readonly string[] | undefined): Statement => ({
  text: 'UPDATE notification_movies SET title = COALESCE($2, title), genres = COALESCE($3::text[], genres) WHERE movie_id = $1',
  values: [movieId, title ?? null, genres ?? null],
});

export interface RatingDelta {
  readonly user_id: string;
  readonly movie_id: string;
  /** +1 for a first rating, -1 for a retraction; a changed score changes no count. */
  readonly delta: number;
}

/** The ledger of counted ratings, for a read model built before it (version 2): made empty at its first ratings. */
const ratingsLedger = `CREATE TABLE notification_ratings (
  user_id  uuid   NOT NULL,
  movie_id uuid   NOT NULL,
  genres   text[] NOT NULL,
  PRIMARY KEY (user_id, movie_id)
)`;

export const ratingsLedgerSchema = `${ratingsLedger};`;

const upgradeStatement: Statement = {
  text: `DO $upgrade$ BEGIN
     IF to_regclass('notification_ratings') IS NULL THEN EXECUTE $ddl$${ratingsLedger}$ddl$; END IF;
   END $upgrade$`,
};

/**
 * Counts each rating under the genres its movie has when it is rated, and a retraction out of the
 * genres its rating was counted under (the ledger, notification_ratings, keeps them): a later change
 * of the movie's genres moves nothing, and every count is exactly the user's ratings per genre, so
 * that it comes out the same however the events are batched. Of a user and movie, only where the
 * batch leaves them matters: rated (counted under the movie's genres now) or not, less what the
 * ledger counted before; a rating and its retraction within a batch cancel, as they do apart, because
 * a change of genres between them is a batch boundary (statementsInOrder).
 */
export const countRatings = (deltas: readonly RatingDelta[]): Statement[] => {
  const last = new Map(deltas.map((delta) => [`${delta.user_id} ${delta.movie_id}`, delta]));
  const changes = JSON.stringify(
    [...last.values()].map((delta) => ({ user_id: delta.user_id, movie_id: delta.movie_id, rated: delta.delta > 0 })),
  );
  const users = JSON.stringify([...new Set(deltas.map((delta) => delta.user_id))]);
  const changed = `changes AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(user_id uuid, movie_id uuid, rated boolean))`;
  return [
    upgradeStatement,
    {
      text: `WITH ${changed},
             deltas AS (
               SELECT d.user_id, d.genre, sum(d.delta)::integer AS delta
                 FROM (SELECT r.user_id, g.genre, -1 AS delta
                         FROM changes c JOIN notification_ratings r ON r.user_id = c.user_id AND r.movie_id = c.movie_id
                         CROSS JOIN LATERAL unnest(r.genres) AS g(genre)
                       UNION ALL
                       SELECT c.user_id, g.genre, 1
                         FROM changes c JOIN notification_movies m ON m.movie_id = c.movie_id
                         CROSS JOIN LATERAL unnest(m.genres) AS g(genre)
                        WHERE c.rated) d
                GROUP BY d.user_id, d.genre
               HAVING sum(d.delta) <> 0)
             INSERT INTO notification_genre_ratings AS c (user_id, genre, ratings)
             SELECT user_id, genre, delta FROM deltas ORDER BY user_id, genre
             ON CONFLICT (user_id, genre) DO UPDATE SET ratings = c.ratings + excluded.ratings`,
      values: [changes],
    },
    {
      text: `WITH ${changed},
             retracted AS (
               DELETE FROM notification_ratings r USING changes c
                WHERE NOT c.rated AND r.user_id = c.user_id AND r.movie_id = c.movie_id)
             INSERT INTO notification_ratings (user_id, movie_id, genres)
             SELECT c.user_id, c.movie_id, m.genres FROM changes c JOIN notification_movies m ON m.movie_id = c.movie_id
              WHERE c.rated
              ORDER BY c.user_id, c.movie_id
             ON CONFLICT (user_id, movie_id) DO UPDATE SET genres = excluded.genres`,
      values: [changes],
    },
    // A genre whose ratings were all taken back has no row, as it would have had none in a batch
    // that held the ratings and their retractions.
    {
      text: `DELETE FROM notification_genre_ratings c USING jsonb_array_elements_text($1::jsonb) AS u(user_id)
              WHERE c.user_id = u.user_id::uuid AND c.ratings = 0`,
      values: [users],
    },
    // Then the top three of the users whose counts moved, in two statements: one statement's delete
    // is not seen by its own insert.
    {
      text: `DELETE FROM notification_top_genres t USING jsonb_array_elements_text($1::jsonb) AS u(user_id) WHERE t.user_id = u.user_id::uuid`,
      values: [users],
    },
    {
      text: `INSERT INTO notification_top_genres (genre, user_id)
             SELECT ranked.genre, ranked.user_id
               FROM jsonb_array_elements_text($1::jsonb) AS u(user_id)
               CROSS JOIN LATERAL (
                 SELECT c.user_id, c.genre FROM notification_genre_ratings c
                  WHERE c.user_id = u.user_id::uuid AND c.ratings > 0
                  ORDER BY c.ratings DESC, c.genre LIMIT 3
               ) ranked
             ORDER BY 1, 2`,
      values: [users],
    },
  ];
};

export interface WatchlistChange {
  readonly user_id: string;
  readonly movie_id: string;
  readonly listed: boolean;
}

/** Within a run, the last word on a user and movie wins (one statement cannot add a row and then delete it). */
export const changeWatchlists = (changes: readonly WatchlistChange[]): Statement => ({
  text: `WITH changes AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(user_id uuid, movie_id uuid, listed boolean)),
         added AS (
           INSERT INTO notification_watchlists (movie_id, user_id)
           SELECT movie_id, user_id FROM changes WHERE listed ON CONFLICT DO NOTHING RETURNING 1
         )
         DELETE FROM notification_watchlists w USING changes c WHERE NOT c.listed AND w.movie_id = c.movie_id AND w.user_id = c.user_id`,
  values: [JSON.stringify([...new Map(changes.map((change) => [`${change.user_id} ${change.movie_id}`, change])).values()])],
});

export interface Read {
  readonly user_id: string;
  readonly notification_id: string;
  readonly at: string;
}

/** The first read is the one kept; a read of a notification of another user's changes nothing. */
export const markRead = (reads: readonly Read[]): Statement => ({
  text: `UPDATE notifications n SET read_at = r.at
           FROM (SELECT notification_id, user_id, min(at) AS at
                   FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, notification_id uuid, at timestamptz)
                  GROUP BY notification_id, user_id) r
          WHERE n.notification_id = r.notification_id AND n.user_id = r.user_id AND n.read_at IS NULL`,
  values: [JSON.stringify(reads)],
});

/**
 * A deactivated account is told nothing more: it leaves every audience. Its inbox stays (an account
 * is not reactivated; erasure, when it comes, is another matter).
 */
export const leaveAudiences = (userId: string): Statement[] => [
  { text: 'DELETE FROM notification_top_genres WHERE user_id = $1', values: [userId] },
  { text: 'DELETE FROM notification_watchlists WHERE user_id = $1', values: [userId] },
];

const insertColumns =
  'INSERT INTO notifications (notification_id, user_id, type, cause_event_id, cause_position, created_at, read_at, detail)';

export const welcome = (cause: Cause, userId: string, displayName: string): Statement => ({
  text: `${insertColumns}
         VALUES (${notificationId('$1', '$2')}, $2, 'welcome', $1, $3, $4, NULL, jsonb_build_object('displayName', $5::text))
         ON CONFLICT (notification_id) DO NOTHING`,
  values: [cause.eventId, userId, cause.position, cause.at, displayName],
});

/** A forgotten account's welcome keeps no display name (personalFields.ts has the redacted value). */
export const forgetDisplayName = (userId: string): Statement => ({
  text: `UPDATE notifications SET detail = jsonb_set(detail, '{displayName}', to_jsonb($2::text))
          WHERE user_id = $1 AND detail ? 'displayName'`,
  values: [userId, redacted.displayName],
});

/** Everyone whose three most-rated genres (ties broken by name) include one of the new movie's. */
export const newMovieInFavouriteGenres = (cause: Cause, movie: MovieRow): Statement => ({
  text: `${insertColumns}
         SELECT ${notificationId('$1', 'top.user_id')}, top.user_id, 'movie.inFavouriteGenre', $1, $2, $3, NULL,
                jsonb_build_object('movie', jsonb_build_object('id', $4::uuid, 'slug', $5::text, 'title', $6::text),
                                   'genres', to_jsonb(array_agg(top.genre ORDER BY top.genre)))
           FROM notification_top_genres top
          WHERE top.genre = ANY($7::text[])
          GROUP BY top.user_id
         ON CONFLICT (notification_id) DO NOTHING`,
  values: [cause.eventId, cause.position, cause.at, movie.movie_id, movie.slug, movie.title, movie.genres],
});

/** Everyone with the movie on their watchlist; `changed` names what changed (empty: archived). */
export const watchlistMovie = (
  cause: Cause,
  type: 'watchlist.movieChanged' | 'watchlist.movieArchived',
  movieId: string,
  title: string | undefined,
  changed: readonly string[],
): Statement => ({
  text: `${insertColumns}
         SELECT ${notificationId('$1', 'w.user_id')}, w.user_id, $4, $1, $2, $3, NULL,
                jsonb_build_object('movie', jsonb_build_object('id', m.movie_id, 'slug', m.slug, 'title', COALESCE($6, m.title)))
                || CASE WHEN $4 = 'watchlist.movieChanged' THEN jsonb_build_object('changed', to_jsonb($7::text[])) ELSE '{}'::jsonb END
           FROM notification_watchlists w JOIN notification_movies m ON m.movie_id = w.movie_id
          WHERE w.movie_id = $5
         ON CONFLICT (notification_id) DO NOTHING`,
  values: [cause.eventId, cause.position, cause.at, type, movieId, title ?? null, changed],
});
