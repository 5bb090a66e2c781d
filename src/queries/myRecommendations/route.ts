import type Router from '@koa/router';
import { integerInRange } from '../../infrastructure/codecs/fromQueryString.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { toMovieView } from '../shared/movies.ts';
import { windowEndingNowValidUntil, type TrendingRow } from '../trendingMovies/query.ts';
import { hasHistory, recommendationsFor, userWithoutHistory, weeklyTrending } from './query.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { MovieView, consistentRead, exampleMovie } from '../shared/docs.ts';
import * as t from 'io-ts';
import { coversMinPosition } from '../trendingMovies/fromSnapshot.ts';
import { coveringSnapshot, weeklyTrendingOf } from './fromSnapshot.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

const RecommendationsQuery = strictPartial({ limit: integerInRange(1, 100) }, 'RecommendationsQuery');

/**
 * `GET /me/recommendations`: movies for the signed-in user, each with its score and why (`similar`,
 * or the `trending` and `popular` fallbacks for a user with too little history). Their own ratings and
 * watches count at once (X-Min-Position waits for them); the neighbours behind `similar` are as fresh
 * as the last similarity refresh.
 */
/** The answer, as documented and as written. */
const RecommendationsAnswer = t.type(
  {
    items: t.array(t.type({ movie: MovieView, score: t.number, reason: t.keyof({ similar: null, trending: null, popular: null }) })),
  },
  'Recommendations',
);

export const myRecommendationsRoute = (router: Router, dependencies: QueryDependencies & { readonly clock: () => Date }): void => {
  router.get(
    '/me/recommendations',
    documented({
      summary: 'Movies for me',
      description:
        'Each with its score and why: `similar` to what I rated or watched, else the `trending` and `popular` fallbacks. The fallbacks are read from the ranking the scheduler computed last (TRENDING_CRON), or ranked on request when there is none yet or X-Min-Position asks for a change it does not have.',
      tag: 'viewers',
      auth: 'user',
      query: RecommendationsQuery,
      headers: consistentRead,
      answers: {
        200: {
          description: 'Recommendations, best first',
          body: RecommendationsAnswer,
          example: { items: [{ movie: exampleMovie, score: 2.5, reason: 'similar' }] },
        },
      },
    }),
    dependencies.guards.requireUser,
    dependencies.consistentWith('cowatch', 'trending', 'catalogue', 'ratings'),
    async (ctx) => {
      const { limit = 20 } = decodeQuery(RecommendationsQuery, ctx);
      const userId = signedInUser(ctx.state).sub;
      const changes = dependencies.trendingChanges;
      // The scheduler's latest trending snapshot, when it has every write X-Min-Position asks to see
      // in the read models it was computed from (as GET /movies/trending decides). Without one (before
      // the first, or right after a write that changed trending) this answer is computed on request as
      // before, rather than a 503 as trending answers: recommendations are every client's home page,
      // answered since long before snapshots, the scheduler's push (topTen.ts) ranks the same live
      // read models, and the answer keeps reading the user's own writes at once.
      const snapshot = coveringSnapshot(
        dependencies.trendingSnapshots?.current(),
        coversMinPosition(
          ctx.get('X-Min-Position').trim(),
          changes === undefined ? undefined : (position) => changes.unchangedSince(position),
        ),
      );
      if (snapshot?.newcomers !== undefined && !(await hasHistory(dependencies.db, userId))) {
        // Every user without history is recommended the same list: the job computed it with the snapshot.
        ctx.body = { items: snapshot.newcomers.slice(0, limit) } satisfies t.TypeOf<typeof RecommendationsAnswer>;
        return;
      }
      // The week's trending list ranked at the snapshot's slot, which the fallback is taken from.
      const now = snapshot === undefined ? dependencies.clock() : new Date(snapshot.slot);
      const shared = dependencies.trendingResults;
      // Everyone's trending list of the week: the snapshot's 7d ranking, or else kept with the trending
      // pages under their rules. The fallback of a user whose own picks run short leaves their movies out of it.
      const everyonesTrending =
        snapshot !== undefined
          ? weeklyTrendingOf(snapshot.rankings['7d'])
          : shared === undefined
            ? undefined
            : async (count: number): Promise<readonly TrendingRow[]> =>
                JSON.parse(
                  await shared.page(
                    JSON.stringify(['weekly trending for recommendations', count]),
                    () => weeklyTrending(dependencies.db, now, count),
                    {
                      validUntil: windowEndingNowValidUntil(now),
                    },
                  ),
                ) as readonly TrendingRow[];
      const answer = async (forUser: string) => {
        const picks = await recommendationsFor(dependencies.db, forUser, { limit, now, everyonesTrending });
        return {
          items: picks.map((pick) => ({
            movie: toMovieView(pick.row),
            score: Math.round(pick.score * 10_000) / 10_000,
            reason: pick.reason,
          })),
        } satisfies t.TypeOf<typeof RecommendationsAnswer>;
      };
      if (snapshot !== undefined || shared === undefined || (await hasHistory(dependencies.db, userId))) {
        ctx.body = await answer(userId);
        return;
      }
      // A user without history gets what every such user gets, read from the trending, catalogue and
      // ratings read models only: kept in memory with the trending pages, under the same rules.
      ctx.type = 'application/json';
      ctx.body = await shared.page(JSON.stringify(['recommendations without history', limit]), () => answer(userWithoutHistory), {
        validUntil: windowEndingNowValidUntil(now),
      });
    },
  );
};
