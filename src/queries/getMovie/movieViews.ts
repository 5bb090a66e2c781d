import { LRUCache } from 'lru-cache';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { ReadModelChanges } from '../shared/readModelChanges.ts';
import { toMovieView, type MovieRow, type MovieView } from '../shared/movies.ts';

export interface MovieViewCache {
  /** A movie by id or slug: from memory when that is provably current, else read (and kept). */
  readonly find: (idOrSlug: string) => Promise<MovieView | null>;
}

interface Entry {
  readonly movieId: string;
  readonly view: MovieView;
  /** Both read models had applied the log up to here before the row was read. */
  readonly readAt: Position;
}

/**
 * Movie views kept in memory, each trusted only while provably current (see readModelChanges.ts): the
 * slug lookup then costs no database round trip, which was most of its cost. A movie rated every
 * second is read from the database every time; the rest of the catalogue is not.
 */
export const createMovieViewCache = (options: {
  readonly changes: ReadModelChanges;
  readonly read: (idOrSlug: string) => Promise<MovieRow | null>;
  readonly capacity?: number;
}): MovieViewCache => {
  const { changes, read } = options;
  const capacity = options.capacity ?? 100_000;
  const entries = new LRUCache<string, Entry>({ max: capacity });

  return {
    find: async (idOrSlug) => {
      const known = entries.get(idOrSlug);
      if (known !== undefined && changes.unchangedSince(known.readAt, known.movieId)) return known.view;
      const readAt = changes.stand().applied;
      const row = await read(idOrSlug);
      if (row === null) return null;
      const view = toMovieView(row);
      if (changes.unchangedSince(readAt, row.movie_id)) {
        entries.set(idOrSlug, { movieId: row.movie_id, view, readAt });
      } else if (known !== undefined) {
        entries.delete(idOrSlug);
      }
      return view;
    },
  };
};
