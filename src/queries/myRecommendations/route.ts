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
      description: 'Each with its score and why: `similar` to what I rated or watched, else the `trending` and `popular` fallbacks.',
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
      const userId = ctx.state.user?.sub ?? '';
      const now = dependencies.clock();
      const shared = dependencies.trendingResults;
      // Everyone's trending list of the week, kept with the trending pages under their rules: the
      // fallback of a user whose own picks run short leaves their movies out of it.
      const everyonesTrending =
        shared === undefined
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
      if (shared === undefined || (await hasHistory(dependencies.db, userId))) {
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
