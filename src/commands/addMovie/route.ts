import type Router from '@koa/router';
import * as E from 'fp-ts/lib/Either.js';
import { conflict } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { decodeBody, eventIdsFor, eventMetadata, positionText, type CommandContext } from '../shared/http.ts';
import { AddMovieRequest } from './command.ts';
import { addMovie } from './handler.ts';
import { documented } from '../../infrastructure/http/openapi/routeDoc.ts';
import { PositionText, exampleMovieId, examplePosition } from '../shared/docs.ts';
import * as t from 'io-ts';

const AddMovieAnswer = t.type({ movieId: t.string, slug: t.string, position: PositionText }, 'AddMovieAnswer');

export const addMovieRoute = (router: Router, dependencies: CommandDependencies): void => {
  router.post(
    '/movies',
    documented({
      summary: 'Add a movie to the catalogue',
      description: 'Its slug is made from the title and year unless given; the answer links to it (Location).',
      tag: 'movies',
      auth: 'admin',
      headers: ['Idempotency-Key'],
      body: {
        codec: AddMovieRequest,
        example: {
          title: 'Heat',
          year: 1995,
          genres: ['crime', 'thriller'],
          overview: 'A group of bank robbers feel the heat from the police.',
          runtime: 170,
          externalIds: { tmdbId: 949, imdbId: 'tt0113277' },
        },
      },
      answers: {
        201: {
          description: 'Added',
          body: AddMovieAnswer,
          example: { movieId: exampleMovieId, slug: 'heat-1995', position: examplePosition },
        },
      },
      problems: { 409: 'Another movie has this slug already' },
    }),
    dependencies.guards.requireRole('admin'),
    dependencies.idempotent,
    async (ctx: CommandContext) => {
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
      ctx.body = { movieId: result.right.movieId, slug: result.right.slug, position } satisfies t.TypeOf<typeof AddMovieAnswer>;
    },
  );
};
