import type Router from '@koa/router';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, type CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { handleViewingCommand } from '../shared/viewing.ts';
import { RateMovieRequest } from './command.ts';

/** Rating again replaces the earlier score; the same score again records nothing. */
export const rateMovieRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.put('/movies/:id/rating', dependencies.guards.requireUser, dependencies.idempotent, async (ctx: CommandContext) => {
    const movieId = movieIdParam(ctx.params.id);
    const { score } = decodeBody(RateMovieRequest, ctx);
    await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'RateMovie', score, ...base }));
  });
};
