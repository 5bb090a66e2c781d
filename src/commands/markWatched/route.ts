import type Router from '@koa/router';
import { badRequest } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, type CommandContext } from '../shared/http.ts';
import { movieIdParam } from '../shared/movieRoutes.ts';
import { isoTime } from '../shared/time.ts';
import { handleViewingCommand } from '../shared/viewing.ts';
import { MarkWatchedRequest } from './command.ts';

export const markWatchedRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post('/movies/:id/watched', dependencies.guards.requireUser, dependencies.idempotent, async (ctx: CommandContext) => {
    const movieId = movieIdParam(ctx.params.id);
    const now = dependencies.clock();
    const watchedAt = decodeBody(MarkWatchedRequest, ctx).watchedAt ?? isoTime(now);
    // A minute of slack for clocks that run a little ahead of ours.
    if (Date.parse(watchedAt) > now.getTime() + 60_000)
      throw badRequest('watchedAt is in the future', [{ path: 'watchedAt', message: 'must not be in the future' }]);
    await handleViewingCommand(ctx, dependencies, movieId, (base) => ({ type: 'MarkWatched', watchedAt, ...base }));
  });
};
