import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import { movieColumns, MovieRow } from '../shared/movies.ts';

export const UserRatingRow = MovieRow.extend({ score: z.number(), rated_at: z.number() });
export type UserRatingRow = z.infer<typeof UserRatingRow>;

/** A user's current ratings, most recent first, after the cursor's; archived movies are left out. */
export const ratingsPage = (db: DatabasePool, userId: string, after: { ratedAt: number; movieId: string } | undefined, limit: number) =>
  db.any(sql.type(UserRatingRow)`
    SELECT ${movieColumns}, u.score, u.rated_at
      FROM rm_ratings.user_ratings u
      JOIN rm_catalogue.movies m ON m.movie_id = u.movie_id
      LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id
     WHERE u.user_id = ${userId} AND NOT m.archived
       ${after === undefined ? sql.fragment`` : sql.fragment`AND (u.rated_at, u.movie_id) < (to_timestamp(${after.ratedAt} / 1000.0), ${after.movieId}::uuid)`}
     ORDER BY u.rated_at DESC, u.movie_id DESC
     LIMIT ${limit}`);
