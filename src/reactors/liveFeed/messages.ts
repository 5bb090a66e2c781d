import type { JsonObject, StoredEvent } from '../../infrastructure/eventStore/eventStore.ts';

// What the feed sends for an event of the log, and to whom. Pure: the live path and the catch-up
// path (reconnection with `since`) both map events through here, so they cannot disagree.

/** Everyone connected (after their catch-up). */
export const everyoneRoom = 'feed';
export const userRoom = (userId: string): string => `user:${userId}`;

export interface FeedMessage {
  readonly position: bigint;
  readonly room: string;
  readonly name: 'movie.added' | 'rating.recorded';
  /** What the client receives; `position` is the event's global position as a decimal string. */
  readonly payload: JsonObject;
}

/** The log's event types the feed follows. */
export const feedEventTypes = ['MovieAdded', 'MovieRated'] as const;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Undefined for events nobody is told about: other types, and every event of a bulk load. */
export const messageOf = (event: StoredEvent): FeedMessage | undefined => {
  if (event.metadata.bulk === true) return undefined;
  const position = event.position.toString();
  const { data } = event;
  switch (event.type) {
    case 'MovieAdded':
      return {
        position: event.position,
        room: everyoneRoom,
        name: 'movie.added',
        payload: {
          position,
          movieId: text(data.movieId),
          slug: text(data.slug),
          title: text(data.title),
          year: typeof data.year === 'number' ? data.year : null,
          genres: Array.isArray(data.genres) ? data.genres.filter((genre) => typeof genre === 'string') : [],
        },
      };
    case 'MovieRated': {
      const userId = text(data.userId);
      if (userId === null) return undefined;
      return {
        position: event.position,
        room: userRoom(userId),
        name: 'rating.recorded',
        payload: {
          position,
          movieId: text(data.movieId),
          score: typeof data.score === 'number' ? data.score : null,
          ratedAt: event.metadata.occurredAt,
        },
      };
    }
    default:
      return undefined;
  }
};

/** Whether a socket of this user receives this message. */
export const entitled = (message: Pick<FeedMessage, 'room'>, userId: string): boolean =>
  message.room === everyoneRoom || message.room === userRoom(userId);
