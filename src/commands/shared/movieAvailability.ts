import * as E from 'fp-ts/lib/Either.js';
import { LRUCache } from 'lru-cache';
import { movieDecider } from '../../domain/movie/decide.ts';
import type { Uuid } from '../../domain/shared/codecs.ts';
import type { MovieAvailability } from '../../domain/viewing/decide.ts';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { load, type CommandEnvironment } from './handleCommand.ts';
import { movieEventTypes } from './movies.ts';
import { movieStream } from '../../infrastructure/eventStore/streams.ts';

export interface MovieAvailabilityCache {
  readonly availability: (movieId: Uuid) => Promise<MovieAvailability>;
  /** This process archived a movie: known at once, before the subscription brings the event. */
  readonly archived: (movieId: Uuid, position: Position) => void;
  readonly close: () => Promise<void>;
}

interface Entry {
  readonly availability: 'available' | 'archived';
  /** Of the movie event the entry reflects: an older answer never overwrites a newer one. */
  readonly position: Position;
}

/**
 * Whether a movie can be rated, without reading its stream for every rating (that read was a third
 * of a rating's database work). A movie's availability changes only when it is added or archived,
 * so answers are kept, and a subscription to those two events, from the head of the log at start,
 * keeps them current: an archive made by this process is known before its command answers, one
 * made by another process within the time the subscription takes to deliver it (milliseconds). Unknown movies are never kept, so a movie added a
 * moment ago is read from its stream. At most `capacity` movies are kept.
 */
export const createMovieAvailabilityCache = async (
  environment: CommandEnvironment,
  log: Logger,
  capacity = 200_000,
): Promise<MovieAvailabilityCache> => {
  const entries = new LRUCache<Uuid, Entry>({ max: capacity });
  let trusted = true;
  const remember = (movieId: Uuid, entry: Entry): void => {
    const known = entries.peek(movieId);
    if (known !== undefined && known.position >= entry.position) return;
    entries.set(movieId, entry);
  };

  const subscription = environment.store.subscribeToAll({
    fromPosition: (await environment.store.headPosition()) ?? 'start',
    filter: { eventTypes: ['MovieAdded', 'MovieArchived'] },
  });
  let closing = false;
  const following = (async () => {
    for await (const batch of subscription) {
      for (const stored of batch.events) {
        const decoded = environment.registry.decode(stored);
        if (E.isLeft(decoded)) continue;
        const event = decoded.right;
        if (event.type === 'MovieAdded') remember(event.data.movieId, { availability: 'available', position: event.position });
        if (event.type === 'MovieArchived') remember(event.data.movieId, { availability: 'archived', position: event.position });
      }
    }
  })().catch((error: unknown) => {
    // Without the subscription the entries could go stale: stop using them rather than answer wrongly.
    trusted = false;
    entries.clear();
    if (!closing) log.error({ err: error }, 'the movie availability cache lost its subscription; every answer now comes from the streams');
  });

  return {
    availability: async (movieId) => {
      const known = trusted ? entries.get(movieId) : undefined;
      if (known !== undefined) return known.availability;
      const { state, position } = await load(environment, {
        stream: movieStream(movieId),
        decider: movieDecider,
        eventTypes: movieEventTypes,
      });
      if (state.status === 'none' || position === null) return 'unknown';
      const availability = state.status === 'active' ? 'available' : 'archived';
      if (trusted) remember(movieId, { availability, position });
      return availability;
    },
    archived: (movieId, position) => remember(movieId, { availability: 'archived', position }),
    close: async () => {
      closing = true;
      await subscription.close();
      await following;
    },
  };
};
