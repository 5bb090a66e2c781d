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
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { commandDone, commandHeaders, movieParams } from '../shared/docs.ts';

export const changeMovieDetailsRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.patch(
    '/movies/:id',
    documented({
      summary: "Change a movie's details",
      description: 'Any of the details, at least one; the slug stays.',
      tag: 'movies',
      auth: 'admin',
      params: movieParams,
      headers: commandHeaders,
      body: {
        codec: ChangeMovieDetailsRequest,
        example: { overview: 'A bank robber and a detective, each the best at what he does.', runtime: 171 },
      },
      answers: commandDone,
      problems: { 404: 'There is no movie with this id', 409: 'The movie is archived, or other changes kept winning' },
    }),
    dependencies.guards.requireRole('admin'),
    dependencies.idempotent,
    async (ctx: CommandContext) => {
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
    },
  );
};
