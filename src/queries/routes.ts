import Router from '@koa/router';
import type { CommandEnvironment } from '../commands/shared/handleCommand.ts';
import { getMovieRoute } from './getMovie/route.ts';
import { meRoute } from './me/route.ts';
import { myRatingsRoute } from './myRatings/route.ts';
import { myWatchlistRoute } from './myWatchlist/route.ts';
import type { QueryDependencies } from './shared/dependencies.ts';

/** Every query of the HTTP contract (DESIGN.md), one slice each. Fixed paths before `/movies/:idOrSlug`. */
export const queryRoutes = (dependencies: QueryDependencies & CommandEnvironment): Router => {
  const router = new Router();
  meRoute(router, dependencies);
  myWatchlistRoute(router, dependencies);
  myRatingsRoute(router, dependencies);
  getMovieRoute(router, dependencies);
  return router;
};
