import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { Slug } from '../../domain/movie/values.ts';
import { movieColumns, MovieRow, moviesWithRatings } from '../shared/movies.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A movie by id or slug; archived movies have left the catalogue. Text that is neither (a NUL, which
 * PostgreSQL refuses as a parameter, or 36 dashes) names no movie and is not asked about.
 */
export const findMovie = async (db: DatabasePool, idOrSlug: string): Promise<MovieRow | null> =>
  !uuidPattern.test(idOrSlug) && !Slug.is(idOrSlug)
    ? null
    : db.maybeOne(sql.type(MovieRow)`
    SELECT ${movieColumns} FROM ${moviesWithRatings}
     WHERE ${uuidPattern.test(idOrSlug) ? sql.fragment`m.movie_id = ${idOrSlug}` : sql.fragment`m.slug = ${idOrSlug}`}
       AND NOT m.archived`);
