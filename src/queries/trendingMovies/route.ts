import type Router from '@koa/router';
import * as t from 'io-ts';
import type { DatabasePool } from 'slonik';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';
import { Uuid } from '../../domain/shared/codecs.ts';
import { CursorScore, CursorTime, invalidCursor, readCursor } from '../shared/cursors.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { encodeCursor, toMovieView } from '../shared/movies.ts';
import { defaultLimit, pageParams } from '../shared/paging.ts';
import {
  latestActivityEnd,
  trendingPage,
  trendingWindows,
  windowEndingAt,
  windowEndingNowValidUntil,
  type TrendingWindow,
  type WindowBounds,
} from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { coversMinPosition, pageOfSnapshot } from './fromSnapshot.ts';
import { MovieView, consistentRead, exampleMovie } from '../shared/docs.ts';

/** The answer, as documented and as written. */
const TrendingAnswer = t.intersection(
  [
    t.type({
      window: t.keyof({ '24h': null, '7d': null }),
      basis: t.keyof({ now: null, 'latest-activity': null }),
      from: t.string,
      to: t.string,
      halfLifeHours: t.number,
    }),
    t.type({
      items: t.array(t.type({ movie: MovieView, score: t.number, watches: t.number, ratings: t.number })),
      nextCursor: t.union([t.string, t.null]),
    }),
  ],
  'Trending',
);

const TrendingQuery = strictPartial({ window: t.keyof({ '24h': null, '7d': null }), ...pageParams }, 'TrendingQuery');

/** `now`: the window ends at the request; `latest-activity`: nothing happened in it, so it ends at the newest activity. */
type Basis = 'now' | 'latest-activity';

interface Position {
  readonly basis: Basis;
  readonly to: number;
  readonly after?: { readonly score: number; readonly movieId: string };
}

/**
 * `GET /movies/trending?window=24h|7d`. A catalogue whose activity is all in the past (an imported
 * MovieLens history, a quiet week) would show an empty list forever; instead, when the window ending
 * now holds no activity at all, the list is the same window ending at the newest activity, labelled
 * `basis: "latest-activity"` with its `from` and `to`, so a client can say "trending in March 2018".
 * A cursor keeps the window of its first page, so that pages fit together while time moves on.
 * Scoring ranks every movie with activity in the window (150,000 of them on a busy day), so answers
 * are kept in memory while provably current (pageCache.ts), as search pages are.
 */
export const trendingMoviesRoute = (router: Router, dependencies: QueryDependencies & { readonly clock: () => Date }): void => {
  router.get(
    '/movies/trending',
    documented({
      summary: 'Trending movies over the last 24 hours or 7 days',
      description:
        'Read from the ranking the scheduler computed at the start of the latest slot (TRENDING_CRON, every 5 minutes by default), never on request: `from`/`to` name that slot. When nothing happened in the window ending then, the same window ending at the newest activity (`basis: latest-activity`). 503 with Retry-After before the first ranking exists, or when X-Min-Position is beyond the position the latest ranking was computed at. A cursor continues at the same rank of the latest ranking.',
      tag: 'movies',
      query: TrendingQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'A page of the ranking',
          body: TrendingAnswer,
          example: {
            window: '7d',
            basis: 'now',
            from: '2024-02-22T20:15:00.000Z',
            to: '2024-02-29T20:15:00.000Z',
            halfLifeHours: 42,
            items: [{ movie: exampleMovie, score: 3.1416, watches: 2, ratings: 3 }],
            nextCursor: null,
          },
        },
      },
      problems: { 503: 'No trending ranking yet, or none computed at or after X-Min-Position; Retry-After says when to ask again' },
    }),
    dependencies.consistentWith('trending', 'catalogue', 'ratings'),
    async (ctx) => {
      const { window = '24h', limit = defaultLimit, cursor } = decodeQuery(TrendingQuery, ctx);
      if (dependencies.trendingSnapshots !== undefined) {
        const changes = dependencies.trendingChanges;
        const covers = coversMinPosition(
          ctx.get('X-Min-Position').trim(),
          changes === undefined ? undefined : (position) => changes.unchangedSince(position),
        );
        ctx.body = pageOfSnapshot(dependencies.trendingSnapshots.current(), window, limit, cursor, covers);
        return;
      }
      // Without snapshots (a router built for a tool or a spec of the SQL): computed on request.
      const start: Position | undefined = cursor === undefined ? undefined : positionOf(cursor);
      const now = dependencies.clock();
      const read = () => trendingList(dependencies.db, window, limit, now, start);
      if (dependencies.trendingResults === undefined) {
        ctx.body = await read();
        return;
      }
      ctx.type = 'application/json';
      ctx.body = await dependencies.trendingResults.page(JSON.stringify([window, limit, cursor ?? null]), read, {
        // A page after a cursor keeps the cursor's window: only the read models change it.
        validUntil: start === undefined ? windowEndingNowValidUntil(now) : undefined,
      });
    },
  );
};

const trendingList = async (db: DatabasePool, window: TrendingWindow, limit: number, now: Date, start: Position | undefined) => {
  let position: Position = start ?? { basis: 'now', to: now.getTime() };
  let bounds = windowEndingAt(window, new Date(position.to));
  let rows = await trendingPage(db, window, bounds, position.after, limit + 1);
  if (rows.length === 0 && start === undefined) {
    const latest = await latestActivityEnd(db, now);
    if (latest !== null && latest.getTime() <= bounds.from.getTime()) {
      position = { basis: 'latest-activity', to: latest.getTime() };
      bounds = windowEndingAt(window, latest);
      rows = await trendingPage(db, window, bounds, undefined, limit + 1);
    }
  }
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    ...describe(window, position.basis, bounds),
    items: items.map((row) => ({ movie: toMovieView(row), score: round(row.score), watches: row.watches, ratings: row.ratings })),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor([position.to, position.basis, last.score, last.movie_id]) : null,
  } satisfies t.TypeOf<typeof TrendingAnswer>;
};

const describe = (window: TrendingWindow, basis: Basis, bounds: WindowBounds) => ({
  window,
  basis,
  from: bounds.from.toISOString(),
  to: bounds.to.toISOString(),
  halfLifeHours: trendingWindows[window].halfLifeHours,
});

const round = (score: number): number => Math.round(score * 10_000) / 10_000;

const TrendingCursor = t.tuple([CursorTime, t.keyof({ now: null, 'latest-activity': null }), CursorScore, Uuid]);

const positionOf = (cursor: string): Position => {
  const key = readCursor(TrendingCursor, cursor);
  if (key === undefined) throw invalidCursor();
  const [to, basis, score, movieId] = key;
  return { basis, to, after: { score, movieId } };
};
