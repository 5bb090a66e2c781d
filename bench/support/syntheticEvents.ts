import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { MovieAdded } from '../../src/domain/movie/events.ts';
import { MovieRated } from '../../src/domain/viewing/events.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { EventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { EventMetadata, EventStore, StreamName } from '../../src/infrastructure/eventStore/eventStore.ts';
import { appendTyped } from '../../src/infrastructure/eventStore/typedAppend.ts';
import { seededRandom } from '../../test/support/seededRandom.ts';
import { syntheticCatalogue } from './syntheticCatalogue.ts';

// The synthetic catalogue as events, appended straight to the store as the MovieLens importer does
// (one stream per movie, `no_stream`, marked a bulk load), thousands in flight so that the store groups them into large
// transactions. Ratings: a fifth as many as movies, by 20,000 users, popular movies rated most
// (Zipf), so that rating sorts and the relevance blend have real rows to read. Slug reservations are
// left out: no read model reads them, and each slug is unique by construction.

const inFlight = 4_000;

const decoded = <A>(result: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(result)) throw new Error(`the synthetic ${what} does not decode`);
  return result.right;
};

/** Runs `work` for 0…count-1 with at most `inFlight` at once. */
const inWindows = async (count: number, work: (index: number) => Promise<void>, onProgress?: (done: number) => void): Promise<void> => {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        await work(next++);
        if (++done % 100_000 === 0) onProgress?.(done);
      }
    }),
  );
};

export const appendSyntheticCatalogue = async (
  store: EventStore,
  registry: EventRegistry<DomainEvent>,
  movies: number,
  onProgress?: (movies: number) => void,
): Promise<{ movies: number; ratings: number }> => {
  const make = syntheticCatalogue(1);
  const metadata: EventMetadata = {
    occurredAt: new Date().toISOString(),
    actorId: null,
    correlationId: 'bench-synthetic',
    causationId: null,
    // A load of a million movies is a bulk load, as an import is: without the mark every reactor took
    // each event as live, and the recommendations push computed a top ten for each of the 200,000
    // ratings, hours of work that ran under every figure measured after the load.
    bulk: true,
  };
  const append = (stream: StreamName, event: DomainEvent): Promise<unknown> =>
    appendTyped(store, registry, stream, [event], { expectedRevision: 'no_stream', metadata });
  const movieIds: string[] = [];
  await inWindows(
    movies,
    async (n) => {
      const movie = make(n);
      const movieId = randomUUID();
      movieIds[n] = movieId;
      const data = decoded(
        MovieAdded.codec.decode({
          movieId,
          slug: movie.slug,
          title: movie.title,
          year: movie.year,
          genres: movie.genres,
          overview: movie.overview,
          runtime: null,
          externalIds: {},
        }),
        'movie',
      );
      await append(streamName('movie', movieId), { type: 'MovieAdded', data });
    },
    onProgress,
  );

  const next = seededRandom(7);
  const users = Array.from({ length: 20_000 }, () => randomUUID());
  const ratings = new Map<string, { userId: string; movieId: string; score: number }>();
  const wanted = Math.floor(movies / 5);
  for (let tries = 0; ratings.size < wanted && tries < wanted * 3; tries++) {
    // Popularity: movie k is picked with probability ∝ 1/(k + 100), over every movie.
    const movieId = movieIds[Math.min(movies - 1, Math.floor(100 * Math.pow(movies / 100 + 1, next()) - 100))] ?? '';
    const userId = users[Math.floor(next() * users.length)] ?? '';
    const score = Math.max(1, Math.min(10, Math.round(5 + (next() + next() + next() - 1.5) * 4))) / 2;
    ratings.set(`${userId} ${movieId}`, { userId, movieId, score });
  }
  const all = [...ratings.values()];
  await inWindows(all.length, async (index) => {
    const rating = all[index];
    if (rating === undefined) return;
    const data = decoded(MovieRated.codec.decode({ ...rating, previousScore: null }), 'rating');
    await append(streamName('viewing', `${rating.userId}_${rating.movieId}`), { type: 'MovieRated', data });
  });
  return { movies, ratings: all.length };
};
