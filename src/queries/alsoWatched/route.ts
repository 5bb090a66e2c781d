import type Router from '@koa/router';
import { integerInRange } from '../../infrastructure/codecs/fromQueryString.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';
import { notFound } from '../../infrastructure/http/problem.ts';
import { alsoWatchedModel } from '../../projections/cowatch/model.ts';
import { findMovie } from '../getMovie/query.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { toMovieView } from '../shared/movies.ts';
import { alsoWatched, similarityComputedAt } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { IdOrSlug, MovieView, consistentRead, exampleMovie } from '../shared/docs.ts';
import * as t from 'io-ts';

const AlsoWatchedQuery = strictPartial({ limit: integerInRange(1, alsoWatchedModel.neighbours) }, 'AlsoWatchedQuery');

/**
 * `GET /movies/:id/also-watched`: the neighbours the last similarity refresh found (at most
 * `alsoWatchedModel.neighbours`), with `computedAt` saying how fresh they are. 404 for a movie that is
 * not in the catalogue (unknown or archived).
 */
/** The answer, as documented and as written. */
const AlsoWatchedAnswer = t.type(
  { computedAt: t.union([t.string, t.null]), items: t.array(t.type({ movie: MovieView, similarity: t.number })) },
  'AlsoWatched',
);

export const alsoWatchedRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get(
    '/movies/:id/also-watched',
    documented({
      summary: 'Movies the viewers of this one also liked or watched',
      description: 'As the last similarity refresh found them; `computedAt` says when (null before the first).',
      tag: 'movies',
      params: { id: IdOrSlug },
      query: AlsoWatchedQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'The neighbours, most similar first',
          body: AlsoWatchedAnswer,
          example: { computedAt: '2024-03-01T03:00:00.000Z', items: [{ movie: exampleMovie, similarity: 0.4172 }] },
        },
      },
      problems: { 404: 'There is no movie with this id or slug in the catalogue' },
    }),
    dependencies.consistentWith('catalogue', 'ratings'),
    async (ctx) => {
      const { limit = 10 } = decodeQuery(AlsoWatchedQuery, ctx);
      const idOrSlug = (ctx.params.id ?? '').toLowerCase();
      const movie = idOrSlug.length > 200 ? null : await findMovie(dependencies.db, idOrSlug);
      if (movie === null) throw notFound('There is no movie with this id or slug in the catalogue');
      const [rows, computedAt] = await Promise.all([
        alsoWatched(dependencies.db, movie.movie_id, limit),
        similarityComputedAt(dependencies.db),
      ]);
      ctx.body = {
        computedAt: computedAt === null ? null : new Date(computedAt).toISOString(),
        items: rows.map((row) => ({ movie: toMovieView(row), similarity: Math.round(row.similarity * 10_000) / 10_000 })),
      } satisfies t.TypeOf<typeof AlsoWatchedAnswer>;
    },
  );
};
