import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { movieDecider } from '../../domain/movie/decide.ts';
import { badRequest } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { decodeBody, eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from '../shared/http.ts';
import { movieIdParam, movieProblem } from '../shared/movieRoutes.ts';
import { movieEventTypes } from '../shared/movies.ts';
import { movieStream } from '../../infrastructure/eventStore/streams.ts';
import { ChangeMovieDetailsRequest } from './command.ts';

export const changeMovieDetailsRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.patch('/movies/:id', dependencies.guards.requireRole('admin'), dependencies.idempotent, async (ctx: CommandContext) => {
    const movieId = movieIdParam(ctx.params.id);
    const changes = decodeBody(ChangeMovieDetailsRequest, ctx);
    if (Object.keys(changes).length === 0) throw badRequest('Send at least one of title, year, genres, overview, runtime, externalIds');
    const stream = movieStream(movieId);
    const result = await handleCommand(dependencies, {
      stream,
      decider: movieDecider,
      eventTypes: movieEventTypes,
      command: {
        type: 'ChangeMovieDetails',
        changes: changes.genres === undefined ? changes : { ...changes, genres: [...new Set(changes.genres)] },
      },
      metadata: eventMetadata(ctx, dependencies.clock()),
      ifMatch: ifMatch(ctx),
      eventIds: eventIdsFor(ctx, stream),
    });
    if (E.isLeft(result)) throw failure(result.left, movieProblem);
    respond(ctx, result.right);
  });
};
