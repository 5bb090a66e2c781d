import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import { movieColumns, MovieRow } from '../shared/movies.ts';

export const WatchlistRow = MovieRow.extend({ added_at: z.number() });
export type WatchlistRow = z.infer<typeof WatchlistRow>;

/** A user's watchlist, newest first, after the cursor's entry; archived movies are left out. */
export const watchlistPage = (db: DatabasePool, userId: string, after: { addedAt: number; movieId: string } | undefined, limit: number) =>
  db.any(sql.type(WatchlistRow)`
    SELECT ${movieColumns}, w.added_at
      FROM rm_watchlists.watchlist_entries w
      JOIN rm_catalogue.movies m ON m.movie_id = w.movie_id
      LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id
     WHERE w.user_id = ${userId} AND NOT m.archived
       ${after === undefined ? sql.fragment`` : sql.fragment`AND (w.added_at, w.movie_id) < (to_timestamp(${after.addedAt} / 1000.0), ${after.movieId}::uuid)`}
     ORDER BY w.added_at DESC, w.movie_id DESC
     LIMIT ${limit}`);
