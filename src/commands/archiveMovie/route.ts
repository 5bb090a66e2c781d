import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { movieDecider } from '../../domain/movie/decide.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from '../shared/http.ts';
import { movieIdParam, movieProblem } from '../shared/movieRoutes.ts';
import { movieEventTypes } from '../shared/movies.ts';
import { movieStream } from '../../infrastructure/eventStore/streams.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders, movieParams } from '../shared/docs.ts';

/** A soft delete: the movie leaves the catalogue, its history stays. */
export const archiveMovieRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.delete(
    '/movies/:id',
    documented({
      summary: 'Archive a movie',
      description: 'A soft delete: the movie leaves the catalogue, its history stays.',
      tag: 'movies',
      auth: 'admin',
      params: movieParams,
      headers: commandHeaders,
      answers: commandDone,
      problems: { 404: 'There is no movie with this id' },
    }),
    dependencies.guards.requireRole('admin'),
    dependencies.idempotent,
    async (ctx: CommandContext) => {
      const movieId = movieIdParam(ctx.params.id);
      const stream = movieStream(movieId);
      const result = await handleCommand(dependencies, {
        stream,
        decider: movieDecider,
        eventTypes: movieEventTypes,
        command: { type: 'ArchiveMovie' },
        metadata: eventMetadata(ctx, dependencies.clock()),
        ifMatch: ifMatch(ctx),
        eventIds: eventIdsFor(ctx, stream),
      });
      if (E.isLeft(result)) throw failure(result.left, movieProblem);
      if (result.right.position !== null) dependencies.movieArchived(movieId, result.right.position);
      respond(ctx, result.right);
    },
  );
};
