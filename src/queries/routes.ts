import Router from '@koa/router';
import type { EventLog } from '../infrastructure/eventStore/foldStream.ts';
import { alsoWatchedRoute } from './alsoWatched/route.ts';
import { getMovieRoute } from './getMovie/route.ts';
import { meRoute } from './me/route.ts';
import { myNotificationsRoute } from './myNotifications/route.ts';
import { myRecommendationsRoute } from './myRecommendations/route.ts';
import { myRatingsRoute } from './myRatings/route.ts';
import { mySessionsRoute } from './mySessions/route.ts';
import { myWatchlistRoute } from './myWatchlist/route.ts';
import { searchMoviesRoute } from './searchMovies/route.ts';
import type { QueryDependencies } from './shared/dependencies.ts';
import { trendingMoviesRoute } from './trendingMovies/route.ts';

/** Every query of the HTTP contract (DESIGN.md), one slice each. Fixed paths before `/movies/:idOrSlug`. */
export const queryRoutes = (dependencies: QueryDependencies & EventLog & { readonly clock: () => Date }): Router => {
  const router = new Router();
  meRoute(router, dependencies);
  myWatchlistRoute(router, dependencies);
  myRatingsRoute(router, dependencies);
  mySessionsRoute(router, dependencies);
  myNotificationsRoute(router, dependencies);
  searchMoviesRoute(router, dependencies);
  trendingMoviesRoute(router, dependencies);
  myRecommendationsRoute(router, dependencies);
  alsoWatchedRoute(router, dependencies);
  getMovieRoute(router, dependencies);
  return router;
};
