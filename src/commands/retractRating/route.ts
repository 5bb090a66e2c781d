import type Router from '@koa/router';
import type { CommandDependencies } from '../shared/dependencies.ts';
import type { CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { handleViewingCommand } from '../shared/viewing.ts';

export const retractRatingRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.delete('/movies/:id/rating', dependencies.guards.requireUser, dependencies.idempotent, async (ctx: CommandContext) => {
    const movieId = movieIdParam(ctx.params.id);
    await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'RetractRating', ...base }));
  });
};
