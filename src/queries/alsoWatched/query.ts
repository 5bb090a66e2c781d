import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import { movieColumns, MovieRow } from '../shared/movies.ts';

export const NeighbourRow = MovieRow.extend({ similarity: z.number() });
export type NeighbourRow = z.infer<typeof NeighbourRow>;

/**
 * The movies liked or watched by the users who liked or watched this one, most similar first, as the
 * last similarity refresh computed them (src/projections/cowatch/model.ts); archived ones left out.
 */
export const alsoWatched = (db: DatabasePool, movieId: string, limit: number) =>
  db.any(sql.type(NeighbourRow)`
    SELECT ${movieColumns}, n.similarity
      FROM similarity.also_watched a
     CROSS JOIN LATERAL unnest(a.neighbour_ids, a.similarities) WITH ORDINALITY AS n(movie_id, similarity, rank)
      JOIN rm_catalogue.movies m ON m.movie_id = n.movie_id
      LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id
     WHERE a.movie_id = ${movieId} AND NOT m.archived
     ORDER BY n.rank
     LIMIT ${limit}`);

/** When the similarity tables were last computed; null before the first time. */
export const similarityComputedAt = (db: DatabasePool) =>
  db.maybeOneFirst(sql.type(z.object({ computed_at: z.number() }))`
    SELECT computed_at FROM similarity.state`);
