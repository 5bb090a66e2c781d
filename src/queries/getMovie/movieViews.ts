import type { EventStore, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { ProjectionPositions } from '../../projections/runtime/positions.ts';
import { toMovieView, type MovieRow, type MovieView } from '../shared/movies.ts';

export interface MovieViewCache {
  /** A movie by id or slug: from memory when that is provably current, else read (and kept). */
  readonly find: (idOrSlug: string) => Promise<MovieView | null>;
  readonly close: () => Promise<void>;
}

interface Entry {
  readonly movieId: string;
  readonly view: MovieView;
  /** Both read models had applied the log up to here before the row was read. */
  readonly readAt: Position;
}

/** The events that change what `GET /movies/:idOrSlug` shows, each naming its movie in `data.movieId`. */
const changes = ['MovieAdded', 'MovieDetailsChanged', 'MovieArchived', 'MovieRated', 'RatingRetracted'] as const;

/**
 * Movie views kept in memory, each trusted only while provably current: the slug lookup then costs no
 * database round trip (which was most of its cost). A view read when the catalogue and ratings read
 * models stood at position P is current unless an event about that movie after P has been applied
 * since. A subscription to those events (from the head of the log at start) records, per movie, the
 * position of the latest; and memory is only used while the subscription has seen at least as far as
 * both read models have applied, so no applied change can be missed. That keeps read-your-writes: a
 * request with X-Min-Position N is answered once the read models passed N, and then from memory only
 * by a view that includes every change to its movie up to N. A movie rated every second is read from
 * the database every time; the rest of the catalogue is not.
 */
export const createMovieViewCache = async (options: {
  readonly store: EventStore;
  readonly positions: Pick<ProjectionPositions, 'current'>;
  readonly read: (idOrSlug: string) => Promise<MovieRow | null>;
  readonly log: Logger;
  readonly capacity?: number;
}): Promise<MovieViewCache> => {
  const { store, positions, read, log } = options;
  const capacity = options.capacity ?? 100_000;
  const entries = new Map<string, Entry>();
  const touched = new Map<string, Position>();
  /** Views read before this are not trusted (the record of changes was reset past them). */
  let floor: Position = -1n;
  let seen: Position = (await store.headPosition()) ?? -1n;
  let trusted = true;

  const subscription = store.subscribeToAll({ fromPosition: seen < 0n ? 'start' : seen, filter: { eventTypes: changes } });
  let closing = false;
  const following = (async () => {
    for await (const batch of subscription) {
      for (const event of batch.events) {
        const movieId = event.data.movieId;
        if (typeof movieId === 'string') touched.set(movieId, event.position);
      }
      if (touched.size > capacity * 2) {
        touched.clear();
        floor = batch.checkpoint;
      }
      seen = batch.checkpoint;
    }
  })().catch((error: unknown) => {
    trusted = false;
    entries.clear();
    if (!closing) log.error({ err: error }, 'the movie view cache lost its subscription; every movie is now read from the database');
  });

  const readModels = (): { readonly applied: Position; readonly ahead: Position } => {
    const catalogue = positions.current('catalogue');
    const ratings = positions.current('ratings');
    return { applied: catalogue < ratings ? catalogue : ratings, ahead: catalogue > ratings ? catalogue : ratings };
  };
  const current = (entry: Entry): boolean => entry.readAt >= floor && entry.readAt >= (touched.get(entry.movieId) ?? -1n);

  return {
    find: async (idOrSlug) => {
      const before = readModels();
      const usable = trusted && seen >= before.ahead;
      const known = usable ? entries.get(idOrSlug) : undefined;
      if (known !== undefined && current(known)) return known.view;
      const row = await read(idOrSlug);
      if (row === null) return null;
      const view = toMovieView(row);
      const entry = { movieId: row.movie_id, view, readAt: before.applied };
      if (usable && current(entry)) {
        entries.delete(idOrSlug);
        entries.set(idOrSlug, entry);
        const oldest = entries.keys().next();
        if (entries.size > capacity && oldest.done !== true) entries.delete(oldest.value);
      }
      return view;
    },
    close: async () => {
      closing = true;
      await subscription.close();
      await following;
    },
  };
};
