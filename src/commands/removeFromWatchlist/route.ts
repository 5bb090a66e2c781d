import type Router from '@koa/router';
import type { CommandDependencies } from '../shared/dependencies.ts';
import type { CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { handleViewingCommand } from '../shared/viewing.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders } from '../shared/docs.ts';
import { Uuid } from '../../domain/shared/codecs.ts';

/** Removing a movie that is not on the list is a no-op: 200, no new event. */
export const removeFromWatchlistRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.delete(
    '/me/watchlist/:movieId',
    documented({
      summary: 'Take a movie off my watchlist',
      description: 'A movie not on the list: 200, no new event.',
      tag: 'viewers',
      auth: 'user',
      params: { movieId: Uuid },
      headers: commandHeaders,
      answers: commandDone,
      problems: { 404: 'There is no movie with this id', 409: 'The movie is archived, or other changes kept winning' },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const movieId = movieIdParam(ctx.params.movieId);
      await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'RemoveFromWatchlist', ...base }));
    },
  );
};
