import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import type { DomainEvent } from '../../domain/events.ts';
import { movieDecider } from '../../domain/movie/decide.ts';
import { Overview, Runtime, Slug, slugFor, Title, Year } from '../../domain/movie/values.ts';
import { DisplayName, Email, IsoDateTime, Score, type Uuid } from '../../domain/shared/codecs.ts';
import { viewingDecider, type ViewingCommand } from '../../domain/viewing/decide.ts';
import type { PasswordHasher } from '../../infrastructure/auth/passwords.ts';
import type { EventMetadata, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import { randomId } from '../../infrastructure/ids.ts';
import type { CommandEnvironment } from '../shared/handleCommand.ts';
import { inParallel } from '../shared/inParallel.ts';
import { claim } from '../shared/reservations.ts';
import {
  emailReservationStream,
  movieStream,
  slugReservationStream,
  userStream,
  viewingStream,
} from '../../infrastructure/eventStore/streams.ts';
import { demoPlan } from './plan.ts';

export const demoAccount = { email: 'demo@fastflix.local', password: 'demo password' };

export type SeedOutcome =
  | { readonly seeded: true; readonly movies: number; readonly viewers: number; readonly events: number }
  | { readonly seeded: false; readonly reason: string };

const valid = <A>(decoded: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(decoded)) throw new Error(`the demo generated an invalid ${what}`);
  return decoded.right;
};

/**
 * Fills an empty installation with the demo plan, through the same deciders commands use. Viewer 0
 * is an account one can sign in with (`demoAccount`); the others cannot sign in.
 */
export const seedDemo = async (
  environment: CommandEnvironment & { readonly passwords: PasswordHasher },
  options: { readonly now: Date; readonly seed?: number },
): Promise<SeedOutcome> => {
  if (await hasMovies(environment))
    return { seeded: false, reason: 'the catalogue is not empty; the demo only fills an empty installation' };
  const plan = demoPlan({ now: options.now, seed: options.seed });
  let events = 0;
  const metadata = (at: Date, actorId: string | null = null): EventMetadata => ({
    occurredAt: at.toISOString(),
    actorId,
    correlationId: 'demo',
    causationId: null,
    bulk: true,
  });
  const append = async (
    stream: StreamName,
    appended: readonly DomainEvent[],
    at: Date,
    expectedRevision: bigint | 'no_stream',
    actorId: string | null = null,
  ) => {
    const result = await appendTyped(environment.store, environment.registry, stream, appended, {
      expectedRevision,
      metadata: metadata(at, actorId),
    });
    events += appended.length;
    return result;
  };

  const movieIds = new Map<number, Uuid>();
  await inParallel(plan.movies, 64, async (movie) => {
    const year = valid(Year.decode(movie.year), 'year');
    const title = valid(Title.decode(movie.title), 'title');
    const slug = valid(Slug.decode(slugFor(title, year)), 'slug');
    const movieId = await claim(
      environment,
      slugReservationStream(slug),
      { type: 'SlugReserved', data: { slug, movieId: randomId() } },
      { metadata: metadata(options.now) },
    );
    movieIds.set(movie.key, movieId);
    const details = {
      title,
      year,
      genres: movie.genres,
      overview: valid(Overview.decode(movie.overview), 'overview'),
      runtime: valid(Runtime.decode(movie.runtime), 'runtime'),
      externalIds: {},
    };
    const decided = movieDecider.decide({ type: 'AddMovie', movieId, slug, details }, movieDecider.initialState());
    await append(movieStream(movieId), E.getOrElseW(() => [])(decided), options.now, 'no_stream');
  });

  const viewerIds = new Map<number, Uuid>();
  const usable = await environment.passwords.hash(demoAccount.password);
  await inParallel(
    Array.from({ length: plan.viewers }, (_, viewer) => viewer),
    16,
    async (viewer) => {
      const email = valid(Email.decode(viewer === 0 ? demoAccount.email : `viewer-${viewer}@fastflix.demo`), 'e-mail');
      const userId = await claim(
        environment,
        emailReservationStream(email),
        { type: 'EmailReserved', data: { email, userId: randomId() } },
        { metadata: metadata(options.now) },
      );
      viewerIds.set(viewer, userId);
      const displayName = valid(DisplayName.decode(viewer === 0 ? 'Demo Viewer' : `Viewer ${viewer}`), 'display name');
      const decided = accountDecider.decide(
        { type: 'RegisterUser', userId, email, displayName, passwordHash: viewer === 0 ? usable : '!', role: 'user' },
        accountDecider.initialState(),
      );
      await append(userStream(userId), E.getOrElseW(() => [])(decided), options.now, 'no_stream', userId);
    },
  );

  // Each viewer's dealings with each movie, in time order, one append per moment.
  const streams = new Map<string, typeof plan.activity>();
  for (const entry of plan.activity)
    streams.set(`${entry.viewer} ${entry.movie}`, [...(streams.get(`${entry.viewer} ${entry.movie}`) ?? []), entry]);
  await inParallel([...streams.values()], 64, async (entries) => {
    const [first] = entries;
    const userId = first === undefined ? undefined : viewerIds.get(first.viewer);
    const movieId = first === undefined ? undefined : movieIds.get(first.movie);
    if (userId === undefined || movieId === undefined) return;
    let state = viewingDecider.initialState();
    let revision: bigint | 'no_stream' = 'no_stream';
    for (const entry of [...entries].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      const base = { userId, movieId, movie: 'available' as const };
      const command: ViewingCommand =
        entry.kind === 'watched'
          ? { ...base, type: 'MarkWatched', watchedAt: valid(IsoDateTime.decode(entry.at.toISOString()), 'time') }
          : entry.kind === 'rated'
            ? { ...base, type: 'RateMovie', score: valid(Score.decode(entry.score), 'score') }
            : { ...base, type: 'AddToWatchlist' };
      const decided = viewingDecider.decide(command, state);
      if (E.isLeft(decided) || decided.right.length === 0) continue;
      for (const event of decided.right) state = viewingDecider.evolve(state, event);
      revision = (await append(viewingStream(userId, movieId), decided.right, entry.at, revision, userId)).nextExpectedRevision;
    }
  });
  return { seeded: true, movies: plan.movies.length, viewers: plan.viewers, events };
};

/** Whether any movie was ever added: the demo must not mix with a real catalogue. */
const hasMovies = async (environment: CommandEnvironment): Promise<boolean> => {
  if ((await environment.store.headPosition()) === null) return false;
  const subscription = environment.store.subscribeToAll({ fromPosition: 'start', filter: { eventTypes: ['MovieAdded'] }, maxBatchSize: 1 });
  try {
    for await (const batch of subscription) {
      if (batch.events.length > 0) return true;
      if (batch.caughtUp) return false;
    }
    return false;
  } finally {
    await subscription.close();
  }
};
