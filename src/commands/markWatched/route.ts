import type Router from '@koa/router';
import { badRequest } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, type CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { isoTime } from '../shared/time.ts';
import { handleViewingCommand } from '../shared/viewing.ts';
import { MarkWatchedRequest } from './command.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders, movieParams } from '../shared/docs.ts';

/** No one watched a film before there were films (the first are from the 1870s, as Year says). */
const firstFilms = Date.UTC(1870, 0, 1);

export const markWatchedRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post(
    '/movies/:id/watched',
    documented({
      summary: 'Record that I watched a movie',
      tag: 'viewers',
      auth: 'user',
      params: movieParams,
      headers: commandHeaders,
      body: { codec: MarkWatchedRequest, example: { watchedAt: '2024-02-29T20:15:00Z' }, optional: true },
      answers: commandDone,
      problems: {
        400: 'A field is invalid, or watchedAt is in the future or before 1870',
        404: 'There is no movie with this id',
        409: 'The movie is archived, or other changes kept winning',
      },
    }),
    dependencies.guards.requireUser,
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const movieId = movieIdParam(ctx.params.id);
      const now = dependencies.clock();
      const watchedAt = decodeBody(MarkWatchedRequest, ctx).watchedAt ?? isoTime(now);
      const at = Date.parse(watchedAt);
      // A minute of slack for clocks that run a little ahead of ours.
      if (at > now.getTime() + 60_000)
        throw badRequest('watchedAt is in the future', [{ path: 'watchedAt', message: 'must not be in the future' }]);
      if (at < firstFilms) throw badRequest('watchedAt is before the first films', [{ path: 'watchedAt', message: 'must be after 1870' }]);
      await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'MarkWatched', watchedAt, ...base }));
    },
  );
};
