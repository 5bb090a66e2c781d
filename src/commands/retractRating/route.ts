import type Router from '@koa/router';
import type { CommandDependencies } from '../shared/dependencies.ts';
import type { CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { handleViewingCommand } from '../shared/viewing.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders, movieParams } from '../shared/docs.ts';

export const retractRatingRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.delete(
    '/movies/:id/rating',
    documented({
      summary: 'Take back my rating of a movie',
      tag: 'viewers',
      auth: 'user',
      params: movieParams,
      headers: commandHeaders,
      answers: commandDone,
      problems: { 404: 'There is no movie with this id', 409: 'The movie is archived, or other changes kept winning' },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const movieId = movieIdParam(ctx.params.id);
      await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'RetractRating', ...base }));
    },
  );
};
