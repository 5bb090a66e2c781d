import type Router from '@koa/router';
import { integerInRange } from '../../infrastructure/codecs/fromQueryString.ts';
import { strictPartial } from '../../infrastructure/codecs/strict.ts';
import type { QueryDependencies } from '../shared/dependencies.ts';
import { decodeQuery } from '../shared/http.ts';
import { toMovieView } from '../shared/movies.ts';
import { windowEndingNowValidUntil } from '../trendingMovies/query.ts';
import { hasHistory, recommendationsFor, userWithoutHistory } from './query.ts';

const RecommendationsQuery = strictPartial({ limit: integerInRange(1, 100) }, 'RecommendationsQuery');

/**
 * `GET /me/recommendations`: movies for the signed-in user, each with its score and why (`similar`,
 * or the `trending` and `popular` fallbacks for a user with too little history). Their own ratings and
 * watches count at once (X-Min-Position waits for them); the neighbours behind `similar` are as fresh
 * as the last similarity refresh.
 */
export const myRecommendationsRoute = (router: Router, dependencies: QueryDependencies & { readonly clock: () => Date }): void => {
  router.get(
    '/me/recommendations',
    dependencies.guards.requireUser,
    dependencies.consistentWith('cowatch', 'trending', 'catalogue', 'ratings'),
    async (ctx) => {
      const { limit = 20 } = decodeQuery(RecommendationsQuery, ctx);
      const userId = ctx.state.user?.sub ?? '';
      const now = dependencies.clock();
      const answer = async (forUser: string) => {
        const picks = await recommendationsFor(dependencies.db, forUser, { limit, now });
        return {
          items: picks.map((pick) => ({
            movie: toMovieView(pick.row),
            score: Math.round(pick.score * 10_000) / 10_000,
            reason: pick.reason,
          })),
        };
      };
      if (dependencies.trendingResults === undefined || (await hasHistory(dependencies.db, userId))) {
        ctx.body = await answer(userId);
        return;
      }
      // A user without history gets what every such user gets, read from the trending, catalogue and
      // ratings read models only: kept in memory with the trending pages, under the same rules.
      ctx.type = 'application/json';
      ctx.body = await dependencies.trendingResults.page(
        JSON.stringify(['recommendations without history', limit]),
        () => answer(userWithoutHistory),
        { validUntil: windowEndingNowValidUntil(now) },
      );
    },
  );
};
