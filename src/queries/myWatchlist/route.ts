import type Router from '@koa/router';
import * as t from 'io-ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { encodeCursor, page, toMovieView } from '../shared/movies.ts';
import { defaultLimit, PageQuery } from '../shared/paging.ts';
import { watchlistPage } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { MovieView, consistentRead, exampleMovie, pageOf } from '../shared/docs.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

/** The answer, as documented and as written. */
const WatchlistPage = pageOf(t.type({ movie: MovieView, addedAt: t.string }), 'WatchlistPage');

export const myWatchlistRoute = (router: Router, dependencies: QueryDependencies): void => {
  router.get(
    '/me/watchlist',
    documented({
      summary: 'My watchlist, most recently added first',
      tag: 'viewers',
      auth: 'user',
      query: PageQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'A page of my watchlist',
          body: WatchlistPage,
          example: { items: [{ movie: exampleMovie, addedAt: '2024-02-29T20:15:00.000Z' }], nextCursor: null },
        },
      },
    }),
    dependencies.guards.requireUser,
    dependencies.consistentWith('watchlists', 'catalogue', 'ratings'),
    async (ctx) => {
      const { limit = defaultLimit, cursor } = decodeQuery(PageQuery, ctx);
      const after = cursor === undefined ? undefined : keyOf(cursor);
      const userId = signedInUser(ctx.state).sub;
      const rows = await watchlistPage(dependencies.db, userId, after, limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      ctx.body = page(
        items.map((row) => ({ movie: toMovieView(row), addedAt: new Date(row.added_at).toISOString() })),
        rows.length > limit && last !== undefined ? encodeCursor([last.added_at, last.movie_id]) : null,
      ) satisfies t.TypeOf<typeof WatchlistPage>;
    },
  );
};

const ListCursor = t.tuple([CursorTime, Uuid]);

const keyOf = (cursor: string): { addedAt: number; movieId: string } => {
  const key = readCursor(ListCursor, cursor);
  if (key === undefined) throw invalidCursor();
  return { addedAt: key[0], movieId: key[1] };
};
