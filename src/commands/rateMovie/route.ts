import type Router from '@koa/router';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, type CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { handleViewingCommand } from '../shared/viewing.ts';
import { RateMovieRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders, movieParams } from '../shared/docs.ts';

/** Rating again replaces the earlier score; the same score again records nothing. */
export const rateMovieRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.put(
    '/movies/:id/rating',
    documented({
      summary: 'Rate a movie',
      description: 'Rating again replaces the earlier score; the same score again records nothing.',
      tag: 'viewers',
      auth: 'user',
      params: movieParams,
      headers: commandHeaders,
      body: { codec: RateMovieRequest, example: { score: 4.5 } },
      answers: commandDone,
      problems: { 404: 'There is no movie with this id', 409: 'The movie is archived, or other changes kept winning' },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const movieId = movieIdParam(ctx.params.id);
      const { score } = decodeBody(RateMovieRequest, ctx);
      await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'RateMovie', score, ...base }));
    },
  );
};
