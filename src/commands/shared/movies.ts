import { movieDecider, type MovieState } from '../../domain/movie/decide.ts';
import { movieEvents } from '../../domain/movie/events.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { MovieAvailability } from '../../domain/viewing/decide.ts';
import { load, type CommandEnvironment } from './handleCommand.ts';
import { movieStream } from '../../infrastructure/eventStore/streams.ts';

export const movieEventTypes: ReadonlySet<string> = new Set(movieEvents.map((definition) => definition.type));

export const loadMovie = async (environment: CommandEnvironment, movieId: Uuid): Promise<MovieState> =>
  (await load(environment, { stream: movieStream(movieId), decider: movieDecider, eventTypes: movieEventTypes })).state;

/** Read from the movie's own stream, so a movie can be rated the moment it is added. */
export const movieAvailabilityFromStream =
  (environment: CommandEnvironment) =>
  async (movieId: Uuid): Promise<MovieAvailability> => {
    const movie = await loadMovie(environment, movieId);
    return movie.status === 'active' ? 'available' : movie.status === 'archived' ? 'archived' : 'unknown';
  };
