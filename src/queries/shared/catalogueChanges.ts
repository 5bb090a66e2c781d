import type { EventStore, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { ProjectionPositions } from '../../projections/runtime/positions.ts';

/** The events that change what the catalogue and ratings read models show, each naming its movie in `data.movieId`. */
const changes = ['MovieAdded', 'MovieDetailsChanged', 'MovieArchived', 'MovieRated', 'RatingRetracted'] as const;

export interface ReadModelStand {
  /** Both read models (catalogue, ratings) have applied the log up to here. */
  readonly applied: Position;
  /** Neither has applied beyond here. */
  readonly ahead: Position;
}

export interface CatalogueChanges {
  /** Where the catalogue and ratings read models stand now; take it before reading them. */
  readonly stand: () => ReadModelStand;
  /**
   * Whether what was read while both read models stood at `readAt` is still what they show: about
   * movie `movieId` only, or, without it, about any movie. False whenever it cannot be proven.
   */
  readonly unchangedSince: (readAt: Position, movieId?: string) => boolean;
  readonly close: () => Promise<void>;
}

/**
 * Which movies changed since when, so that answers read from the catalogue and ratings read models can
 * be kept in memory and trusted exactly while nothing they depend on changed. A subscription to the
 * events that change those read models (from the head of the log at start) records the position of
 * the latest change, overall and per movie. It is only believed while it has seen at least as far as
 * both read models have applied, so no applied change can be missed: an answer read when both stood
 * at P is current unless a change after P has been seen. That keeps read-your-writes: a request with
 * X-Min-Position N is answered once the read models passed N, and then from memory only by an answer
 * that includes every change up to N.
 */
export const followCatalogueChanges = async (options: {
  readonly store: EventStore;
  readonly positions: Pick<ProjectionPositions, 'current'>;
  readonly log: Logger;
  /** Movies whose latest change is remembered one by one; past twice this, answers read before are dropped. */
  readonly capacity?: number;
}): Promise<CatalogueChanges> => {
  const { store, positions, log } = options;
  const capacity = options.capacity ?? 100_000;
  const touched = new Map<string, Position>();
  /** Per-movie records start here (they were reset past anything read before). */
  let floor: Position = -1n;
  let latest: Position = -1n;
  let seen: Position = (await store.headPosition()) ?? -1n;
  let trusted = true;

  const subscription = store.subscribeToAll({ fromPosition: seen < 0n ? 'start' : seen, filter: { eventTypes: changes } });
  let closing = false;
  const following = (async () => {
    for await (const batch of subscription) {
      for (const event of batch.events) {
        const movieId = event.data.movieId;
        if (typeof movieId === 'string') touched.set(movieId, event.position);
        latest = event.position;
      }
      if (touched.size > capacity * 2) {
        touched.clear();
        floor = batch.checkpoint;
      }
      seen = batch.checkpoint;
    }
  })().catch((error: unknown) => {
    trusted = false;
    if (!closing) log.error({ err: error }, 'lost the subscription to catalogue changes; answers are now always read from the database');
  });

  const stand = (): ReadModelStand => {
    const catalogue = positions.current('catalogue');
    const ratings = positions.current('ratings');
    return { applied: catalogue < ratings ? catalogue : ratings, ahead: catalogue > ratings ? catalogue : ratings };
  };

  return {
    stand,
    unchangedSince: (readAt, movieId) =>
      trusted &&
      seen >= stand().ahead &&
      (movieId === undefined ? readAt >= latest : readAt >= floor && readAt >= (touched.get(movieId) ?? -1n)),
    close: async () => {
      closing = true;
      await subscription.close();
      await following;
    },
  };
};
