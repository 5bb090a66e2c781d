import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, JsonObject } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { seededRandom } from '../../support/seededRandom.ts';

// A log with a bit of everything the read models follow: movies added, changed and archived; users
// rating, re-rating and retracting, watching, adding to and removing from watchlists, over ten days.
// Random but seeded, and consistent (each rating carries the score it replaces), so that every
// projection applies it without error.

const event = (type: string, data: JsonObject, occurredAt: Date): EventToAppend => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt: occurredAt.toISOString(), actorId: null, correlationId: randomUUID(), causationId: null },
});

export interface ActivityOptions {
  readonly movies: number;
  readonly users: number;
  readonly actions: number;
  readonly seed?: number;
}

/** Appends the log; resolves with how many events it appended. */
export const appendActivity = async (store: EventStore, options: ActivityOptions): Promise<number> => {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  const start = Date.now() - 10 * 24 * 3_600_000;
  let clock = start;
  const tick = (): Date => new Date((clock += Math.floor(random() * 600_000)));
  const appends: { category: string; id: string; event: EventToAppend }[] = [];

  const movies = Array.from({ length: options.movies }, (_, n) => ({ id: randomUUID(), n }));
  for (const movie of movies) {
    appends.push({
      category: 'movie',
      id: movie.id,
      event: event(
        'MovieAdded',
        {
          movieId: movie.id,
          slug: `movie-${movie.n}-${movie.id.slice(0, 6)}`,
          title: `Movie ${movie.n} ${pick(['Heat', 'Alien', 'Up', 'Ran', 'Jaws'])}`,
          year: 1950 + Math.floor(random() * 70),
          genres: [pick(['drama', 'comedy', 'action']), pick(['crime', 'animation'])].filter(
            (genre, index, all) => all.indexOf(genre) === index,
          ),
          overview: `An overview of movie ${movie.n}.`,
          runtime: 80 + Math.floor(random() * 80),
          externalIds: { tmdbId: 1 + movie.n },
        },
        tick(),
      ),
    });
  }
  for (const movie of movies.filter(() => random() < 0.2)) {
    appends.push({
      category: 'movie',
      id: movie.id,
      event: event('MovieDetailsChanged', { movieId: movie.id, title: `Movie ${movie.n} (restored)` }, tick()),
    });
  }
  const live = movies.filter(() => random() >= 0.1);
  for (const movie of movies.filter((candidate) => !live.includes(candidate))) {
    appends.push({ category: 'movie', id: movie.id, event: event('MovieArchived', { movieId: movie.id }, tick()) });
  }

  const users = Array.from({ length: options.users }, () => randomUUID());
  const scores = new Map<string, number>();
  const listed = new Set<string>();
  for (let n = 0; n < options.actions; n++) {
    const userId = pick(users);
    const movieId = pick(live).id;
    const key = `${userId}_${movieId}`;
    const at = tick();
    const previous = scores.get(key) ?? null;
    const roll = random();
    let next: EventToAppend;
    if (roll < 0.5) {
      const score = (1 + Math.floor(random() * 10)) / 2;
      scores.set(key, score);
      next = event('MovieRated', { userId, movieId, score, previousScore: previous }, at);
    } else if (roll < 0.6 && previous !== null) {
      scores.delete(key);
      next = event('RatingRetracted', { userId, movieId, previousScore: previous }, at);
    } else if (roll < 0.8) {
      next = event('MovieWatched', { userId, movieId, watchedAt: at.toISOString() }, at);
    } else if (!listed.has(key)) {
      listed.add(key);
      next = event('AddedToWatchlist', { userId, movieId }, at);
    } else {
      listed.delete(key);
      next = event('RemovedFromWatchlist', { userId, movieId }, at);
    }
    appends.push({ category: 'viewing', id: key, event: next });
  }

  // In order per stream (each append waits for the one before it in its stream), many streams at once.
  const byStream = new Map<string, { category: string; id: string; events: EventToAppend[] }>();
  for (const { category, id, event: appended } of appends) {
    const stream = byStream.get(`${category}-${id}`) ?? { category, id, events: [] };
    stream.events.push(appended);
    byStream.set(`${category}-${id}`, stream);
  }
  const streams = [...byStream.values()];
  for (let from = 0; from < streams.length; from += 200) {
    await Promise.all(
      streams.slice(from, from + 200).map(async ({ category, id, events }) => {
        for (const appended of events) await store.appendToStream(streamName(category, id), [appended]);
      }),
    );
  }
  return appends.length;
};
