import * as E from 'fp-ts/lib/Either.js';
import { movieDecider } from '../../domain/movie/decide.ts';
import { Slug, slugFor } from '../../domain/movie/values.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { EventMetadata, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { CommandDependencies } from '../shared/dependencies.ts';
import { handleCommand } from '../shared/handleCommand.ts';
import { movieEventTypes } from '../shared/movies.ts';
import { claim } from '../shared/reservations.ts';
import { movieStream, slugReservationStream } from '../../infrastructure/eventStore/streams.ts';
import type { AddMovieRequest } from './command.ts';

export type AddMovieError = 'SlugTaken';

/** Claims the slug (given, or made from title and year), then adds the movie under the id the claim names. */
export const addMovie = async (
  dependencies: Pick<CommandDependencies, 'store' | 'registry' | 'newId'>,
  request: AddMovieRequest,
  options: { readonly metadata: EventMetadata; readonly eventIds?: (stream: string) => ((count: number) => readonly string[]) | undefined },
): Promise<E.Either<AddMovieError, { movieId: Uuid; slug: Slug; position: Position | null }>> => {
  const slug = request.slug ?? madeSlug(request);
  const reservation = slugReservationStream(slug);
  const movieId = await claim(
    dependencies,
    reservation,
    { type: 'SlugReserved', data: { slug, movieId: dependencies.newId() } },
    {
      metadata: options.metadata,
      eventIds: options.eventIds?.(reservation),
    },
  );
  const stream = movieStream(movieId);
  const added = await handleCommand(dependencies, {
    stream,
    decider: movieDecider,
    eventTypes: movieEventTypes,
    command: {
      type: 'AddMovie',
      movieId,
      slug,
      details: {
        title: request.title,
        year: request.year,
        genres: [...new Set(request.genres)],
        overview: request.overview,
        runtime: request.runtime ?? null,
        externalIds: request.externalIds ?? {},
      },
    },
    metadata: options.metadata,
    eventIds: options.eventIds?.(stream),
    maxAttempts: 1,
  });
  if (E.isLeft(added)) return E.left('SlugTaken');
  return E.right({ movieId, slug, position: added.right.position });
};

const madeSlug = (request: AddMovieRequest): Slug => {
  const made = Slug.decode(slugFor(request.title, request.year));
  if (E.isLeft(made)) throw new Error(`slugFor made an invalid slug from ${JSON.stringify(request.title)}`);
  return made.right;
};
