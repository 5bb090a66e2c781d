import * as E from 'fp-ts/lib/Either.js';
import { viewingDecider, type ViewingCommand, type ViewingError } from '../../domain/viewing/decide.ts';
import { viewingEvents } from '../../domain/viewing/events.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import { conflict, type HttpProblem } from '../../infrastructure/http/problem.ts';
import type { CommandDependencies } from './dependencies.ts';
import { handleCommand } from './handleCommand.ts';
import { eventIdsFor, eventMetadata, failure, ifMatch, respond, type CommandContext } from './http.ts';
import { movieNotFound } from './movieRoutes.ts';
import { viewingStream } from '../../infrastructure/eventStore/streams.ts';
import { signedInUser } from '../../infrastructure/auth/guards.ts';

export const viewingEventTypes: ReadonlySet<string> = new Set(viewingEvents.map((definition) => definition.type));

type ViewingBase = Pick<ViewingCommand, 'userId' | 'movieId' | 'movie'>;

const viewingProblem = (error: ViewingError): HttpProblem =>
  error.type === 'MovieNotFound'
    ? movieNotFound()
    : conflict('The movie is archived: it can no longer be rated, watched or added to a watchlist');

/**
 * What the viewer commands share: the signed-in user acts on their own stream for the movie (no
 * route takes another user's id, so nobody can act for someone else), after asking the catalogue
 * whether the movie can be acted on.
 */
export const handleViewingCommand = async (
  ctx: CommandContext,
  dependencies: CommandDependencies,
  movieId: Uuid,
  build: (base: ViewingBase) => ViewingCommand,
): Promise<void> => {
  const userId = signedInUser(ctx.state).sub;
  const stream = viewingStream(userId, movieId);
  const result = await handleCommand(dependencies, {
    stream,
    decider: viewingDecider,
    eventTypes: viewingEventTypes,
    command: async () => E.right(build({ userId, movieId, movie: await dependencies.movieAvailability(movieId) })),
    metadata: eventMetadata(ctx, dependencies.clock()),
    ifMatch: ifMatch(ctx),
    eventIds: eventIdsFor(ctx, stream),
    // One stream per viewer and movie: most commands on it are its first.
    unknownStreams: 'new',
  });
  if (E.isLeft(result)) throw failure(result.left, viewingProblem);
  respond(ctx, result.right);
};
