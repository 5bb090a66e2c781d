import * as t from 'io-ts';
import { sql } from 'slonik';
import { z } from 'zod';
import { asComponent } from '../../infrastructure/codecs/schemaHints.ts';

// How every query shows a movie (DESIGN.md): the row it selects, and the exact codec of the answer.

/** The columns every movie-listing query selects, from the catalogue and the ratings read models. */
export const movieColumns = sql.fragment`
  m.movie_id, m.slug, m.title, m.year, m.genres, m.overview, m.external_ids, m.created_at, m.updated_at,
  coalesce(r.count, 0) AS rating_count, r.average AS rating_average, r.histogram AS rating_histogram`;

export const moviesWithRatings = sql.fragment`rm_catalogue.movies m LEFT JOIN rm_ratings.movie_ratings r ON r.movie_id = m.movie_id`;

export const MovieRow = z.object({
  movie_id: z.string(),
  slug: z.string(),
  title: z.string(),
  year: z.number().nullable(),
  genres: z.array(z.string()),
  overview: z.string(),
  external_ids: z.record(z.union([z.string(), z.number()])),
  // slonik's preset parses timestamptz into milliseconds since the epoch.
  created_at: z.number(),
  updated_at: z.number(),
  rating_count: z.number(),
  rating_average: z.number().nullable(),
  rating_histogram: z.array(z.number()).nullable(),
});
export type MovieRow = z.infer<typeof MovieRow>;

const halfStars = ['0.5', '1.0', '1.5', '2.0', '2.5', '3.0', '3.5', '4.0', '4.5', '5.0'] as const;

export const MovieView = asComponent(
  t.exact(
    t.type({
      id: t.string,
      slug: t.string,
      title: t.string,
      year: t.union([t.number, t.null]),
      genres: t.array(t.string),
      overview: t.string,
      externalIds: t.record(t.string, t.union([t.string, t.number])),
      rating: t.exact(t.type({ average: t.union([t.number, t.null]), count: t.number, histogram: t.record(t.string, t.number) })),
      createdAt: t.string,
      updatedAt: t.string,
    }),
    'MovieView',
  ),
  'Movie',
);
export type MovieView = t.TypeOf<typeof MovieView>;

export const toMovieView = (row: MovieRow): MovieView =>
  MovieView.encode({
    id: row.movie_id,
    slug: row.slug,
    title: row.title,
    year: row.year,
    genres: row.genres,
    overview: row.overview,
    externalIds: row.external_ids,
    rating: {
      average: row.rating_average,
      count: row.rating_count,
      histogram: Object.fromEntries(halfStars.map((score, index) => [score, row.rating_histogram?.[index] ?? 0])),
    },
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  });

/** Lists read `{ items, nextCursor }`; the cursor is opaque to clients. */
export const page = <Item>(items: readonly Item[], nextCursor: string | null): { items: readonly Item[]; nextCursor: string | null } => ({
  items,
  nextCursor,
});

export const encodeCursor = (values: readonly (string | number | null)[]): string =>
  Buffer.from(JSON.stringify(values)).toString('base64url');

/** The key a cursor carries, or undefined for a cursor this service did not make. */
export const decodeCursor = (cursor: string): unknown[] | undefined => {
  // Cursors this service makes are a few hundred characters at most.
  if (cursor.length > 2_048) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
};
