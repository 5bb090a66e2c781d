import type { EventStore, Position } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { Projection } from '../../projections/runtime/projection.ts';
import type { ProjectionPositions } from '../../projections/runtime/positions.ts';

export interface ReadModelStand {
  /** Every followed read model has applied the log up to here. */
  readonly applied: Position;
  /** None has applied beyond here. */
  readonly ahead: Position;
}

export interface ReadModelChanges {
  /** Where the followed read models stand now; take it before reading them. */
  readonly stand: () => ReadModelStand;
  /**
   * Whether what was read while the read models stood at `readAt` is still what they show: about
   * movie `movieId` only, or, without it, about any movie. False whenever it cannot be proven.
   */
  readonly unchangedSince: (readAt: Position, movieId?: string) => boolean;
  readonly close: () => Promise<void>;
}

/**
 * Which movies changed since when, so that answers read from some read models can be kept in memory
 * and trusted exactly while nothing they depend on changed. A subscription to the events those read
 * models follow (from the head of the log at start; each names its movie in `data.movieId`) records
 * the position of the latest change, overall and per movie. It is only believed while it has seen at
 * least as far as every one of them has applied, so no applied change can be missed: an answer read
 * when all stood at P is current unless a change after P has been seen. That keeps read-your-writes: a
 * request with X-Min-Position N is answered once the read models passed N, and then from memory only
 * by an answer that includes every change up to N.
 */
export const followReadModelChanges = async (options: {
  readonly store: EventStore;
  /** The read models the answers are read from. */
  readonly readModels: readonly Pick<Projection, 'name' | 'eventTypes'>[];
  readonly positions: Pick<ProjectionPositions, 'current'>;
  readonly log: Logger;
  /** Movies whose latest change is remembered one by one; past twice this, answers read before are dropped. */
  readonly capacity?: number;
}): Promise<ReadModelChanges> => {
  const { store, positions, log, readModels } = options;
  const names = readModels.map((readModel) => readModel.name);
  if (names.length === 0) throw new Error('followReadModelChanges needs a read model to follow');
  const changes = [...new Set(readModels.flatMap((readModel) => readModel.eventTypes))];
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
    if (!closing) {
      log.error(
        { err: error, readModels: names },
        'lost the subscription to read model changes; answers are now always read from the database',
      );
    }
  });

  // Asked on every answer served from memory: a loop, not arrays.
  const stand = (): ReadModelStand => {
    let applied = positions.current(names[0] as string);
    let ahead = applied;
    for (let index = 1; index < names.length; index++) {
      const position = positions.current(names[index] as string);
      if (position < applied) applied = position;
      if (position > ahead) ahead = position;
    }
    return { applied, ahead };
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
