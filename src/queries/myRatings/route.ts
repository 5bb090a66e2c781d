import type Router from '@koa/router';
import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { encodeCursor, page, toMovieView } from '../shared/movies.ts';
import { defaultLimit, PageQuery } from '../shared/paging.ts';
import { ratingsPage } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { MovieView, consistentRead, exampleMovie, pageOf } from '../shared/docs.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

/** The answer, as documented and as written. */
const RatingPage = pageOf(t.type({ movie: MovieView, score: t.number, ratedAt: t.string }), 'RatingPage');

export const myRatingsRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get(
    '/me/ratings',
    documented({
      summary: 'My ratings, most recent first',
      tag: 'viewers',
      auth: 'user',
      query: PageQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'A page of my ratings',
          body: RatingPage,
          example: { items: [{ movie: exampleMovie, score: 4.5, ratedAt: '2024-02-29T20:15:00.000Z' }], nextCursor: null },
        },
      },
    }),
    dependencies.guards.requireUser,
    dependencies.consistentWith('ratings', 'catalogue'),
    async (ctx) => {
      const { limit = defaultLimit, cursor } = decodeQuery(PageQuery, ctx);
      const after = cursor === undefined ? undefined : keyOf(cursor);
      const rows = await ratingsPage(dependencies.db, signedInUser(ctx.state).sub, after, limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      ctx.body = page(
        items.map((row) => ({ movie: toMovieView(row), score: row.score, ratedAt: new Date(row.rated_at).toISOString() })),
        rows.length > limit && last !== undefined ? encodeCursor([last.rated_at, last.movie_id]) : null,
      ) satisfies t.TypeOf<typeof RatingPage>;
    },
  );
};

const ListCursor = t.tuple([CursorTime, Uuid]);

const keyOf = (cursor: string): { ratedAt: number; movieId: string } => {
  const key = readCursor(ListCursor, cursor);
  if (key === undefined) throw invalidCursor();
  return { ratedAt: key[0], movieId: key[1] };
};
