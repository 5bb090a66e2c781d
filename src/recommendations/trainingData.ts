import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type pg from 'pg';
import { v5 as uuidV5 } from 'uuid';
import type { DomainEvent } from '../domain/events.ts';
import { Overview, Slug, Title } from '../domain/movie/values.ts';
import { Score, Uuid } from '../domain/shared/codecs.ts';
import type { RecordedEvent } from '../infrastructure/eventStore/eventRegistry.ts';
import { streamName } from '../infrastructure/eventStore/streamName.ts';
import { runStatements } from '../projections/runtime/statements.ts';
import { catalogue } from '../projections/catalogue/projection.ts';
import { cowatch } from '../projections/cowatch/projection.ts';
import { ratings } from '../projections/ratings/projection.ts';
import { liveSchema, type Projection } from '../projections/runtime/projection.ts';
import { ensureProjectionSchema } from '../projections/runtime/schema.ts';
import { trending } from '../projections/trending/projection.ts';
import type { MovieLensData, MovieLensRating } from './movielens.ts';

// The training data of an evaluation as the read models would hold it had it come through the log:
// MovieAdded and MovieRated events, at their own times, through each projection's apply function.

const namespace = '5b8f0f5e-3c1a-4d5e-9a43-8f6c2f0d7a11';

export interface Identities {
  readonly user: (userId: number) => Uuid;
  readonly movie: (movieId: number) => Uuid;
  readonly movieLensId: (movieId: string) => number;
}

const valid = <A>(decoded: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(decoded)) throw new Error(`not a valid ${what}`);
  return decoded.right;
};

export const identities = (data: MovieLensData): Identities => {
  const back = new Map<string, number>();
  const movie = (movieId: number): Uuid => {
    const id = valid(Uuid.decode(uuidV5(`movielens-movie-${movieId}`, namespace)), 'uuid');
    back.set(id, movieId);
    return id;
  };
  for (const rating of data.ratings) movie(rating.movieId);
  for (const entry of data.movies) movie(entry.movieId);
  return {
    user: (userId) => valid(Uuid.decode(uuidV5(`movielens-user-${userId}`, namespace)), 'uuid'),
    movie,
    movieLensId: (id) => back.get(id) ?? -1,
  };
};

/** Every movie of movies.csv, and any rated movie it lacks (recommendations only come from the catalogue). */
export const movieEvents = (data: MovieLensData, ids: Identities): DomainEvent[] => {
  const titles = new Map<number, string>(data.movies.map((movie) => [movie.movieId, movie.title]));
  for (const rating of data.ratings) if (!titles.has(rating.movieId)) titles.set(rating.movieId, '');
  return [...titles].map(([movieId, title]) => ({
    type: 'MovieAdded',
    data: {
      movieId: ids.movie(movieId),
      slug: valid(Slug.decode(`movielens-${movieId}`), 'slug'),
      title: E.getOrElse(() => valid(Title.decode(`MovieLens ${movieId}`), 'title'))(Title.decode(title)),
      year: null,
      genres: [],
      overview: valid(Overview.decode(''), 'overview'),
      runtime: null,
      externalIds: {},
    },
  }));
};

export const ratingEvents = (training: readonly MovieLensRating[], ids: Identities): { event: DomainEvent; at: number }[] =>
  training.map((rating) => ({
    at: rating.timestamp * 1000,
    event: {
      type: 'MovieRated',
      data: {
        userId: ids.user(rating.userId),
        movieId: ids.movie(rating.movieId),
        score: valid(Score.decode(rating.score), 'score'),
        previousScore: null,
      },
    },
  }));

/** Applies the events, in order, to each read model the recommendation query reads, as the projector would. */
export const loadIntoReadModels = async (
  pool: pg.Pool,
  entries: readonly (DomainEvent | { event: DomainEvent; at: number })[],
): Promise<void> => {
  const events = entries.map((entry, index) => {
    const [event, at] = 'event' in entry ? [entry.event, entry.at] : [entry, 0];
    return recorded(event, new Date(at).toISOString(), BigInt(index + 1));
  });
  for (const projection of [catalogue, ratings, trending, cowatch]) {
    await ensureProjectionSchema(pool, projection, { stateName: projection.name, schema: liveSchema(projection) });
    const relevant = events.filter((event) => projection.eventTypes.includes(event.type));
    for (let from = 0; from < relevant.length; from += 5_000) await applyBatch(pool, projection, relevant.slice(from, from + 5_000));
  }
};

const applyBatch = (pool: pg.Pool, projection: Projection, events: readonly RecordedEvent<DomainEvent>[]): Promise<void> =>
  runStatements(pool, liveSchema(projection), projection.statements(events));

const recorded = (event: DomainEvent, occurredAt: string, position: bigint): RecordedEvent<DomainEvent> => ({
  ...event,
  eventId: randomUUID(),
  storedSchemaVersion: 1,
  metadata: { occurredAt, actorId: null, correlationId: 'evaluation', causationId: null },
  streamName: streamName('evaluation', 'movielens'),
  revision: position - 1n,
  position,
  hash: '',
  recordedAt: new Date(occurredAt),
});
