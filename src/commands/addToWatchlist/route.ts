import type Router from '@koa/router';
import type { CommandDependencies } from '../shared/dependencies.ts';
import type { CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { handleViewingCommand } from '../shared/viewing.ts';

/** Adding a movie already on the list is a no-op: 200, no new event. */
export const addToWatchlistRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.put('/me/watchlist/:movieId', dependencies.guards.requireUser, dependencies.idempotent, async (ctx: CommandContext) => {
    const movieId = movieIdParam(ctx.params.movieId);
    await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'AddToWatchlist', ...base }));
  });
};
