import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { conflict } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventIdsFor, eventMetadata, positionText, type CommandContext } from '../shared/http.ts';
import { AddMovieRequest } from './command.ts';
import { addMovie } from './handler.ts';

export const addMovieRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post('/movies', dependencies.guards.requireRole('admin'), dependencies.idempotent, async (ctx: CommandContext) => {
    const request = decodeBody(AddMovieRequest, ctx);
    const result = await addMovie(dependencies, request, {
      metadata: eventMetadata(ctx, dependencies.clock()),
      eventIds: (stream) => eventIdsFor(ctx, stream),
    });
    if (E.isLeft(result)) throw conflict('Another movie has this slug already; send a different `slug`');
    const position = positionText(result.right.position);
    ctx.status = 201;
    ctx.set('X-Event-Position', position);
    ctx.set('Location', `/movies/${result.right.slug}`);
    ctx.body = { movieId: result.right.movieId, slug: result.right.slug, position };
  });
};
