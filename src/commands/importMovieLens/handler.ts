import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { accountDecider } from '../../domain/account/decide.ts';
import { movieDecider } from '../../domain/movie/decide.ts';
import type { MovieDetails } from '../../domain/movie/events.ts';
import { ExternalIds, Overview, Slug, slugFor, Title, Year } from '../../domain/movie/values.ts';
import { DisplayName, Email, Score, type Uuid } from '../../domain/shared/codecs.ts';
import { Tag } from '../../domain/viewing/events.ts';
import { viewingDecider, type ViewingCommand } from '../../domain/viewing/decide.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { AppendResult, EventMetadata, StreamName } from '../../infrastructure/eventStore/eventStore.ts';
import { WrongExpectedRevisionError } from '../../infrastructure/eventStore/errors.ts';
import { appendTyped } from '../../infrastructure/eventStore/typedAppend.ts';
import type { CommandEnvironment } from '../shared/handleCommand.ts';
import { inParallel } from '../shared/inParallel.ts';
import {
  emailReservationStream,
  movieStream,
  slugReservationStream,
  userStream,
  viewingStream,
} from '../../infrastructure/eventStore/streams.ts';
import { eventIdsFor, movieIdFor, userIdFor } from './ids.ts';
import { readCsv, type Rejection } from './readCsv.ts';
import { mapGenres, parseTitle } from './titles.ts';

export interface ImportProgress {
  readonly phase: 'movies' | 'users' | 'ratings and tags';
  readonly done: number;
  readonly total: number;
}

export interface ImportSummary {
  readonly movies: number;
  readonly users: number;
  readonly ratings: number;
  readonly tags: number;
  /** Events written by this run; a repeated import writes none. */
  readonly eventsAppended: number;
  readonly rejected: readonly Rejection[];
}

export interface ImportOptions {
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Appends in flight at once; the store groups them into large transactions. */
  readonly concurrency?: number;
  readonly now?: () => Date;
}

interface Activity {
  readonly line: number;
  readonly file: string;
  readonly at: number;
  readonly command: { readonly type: 'RateMovie'; readonly score: Score } | { readonly type: 'TagMovie'; readonly tag: Tag };
}

/**
 * Imports a MovieLens directory (movies.csv, ratings.csv, tags.csv, links.csv): movies with external
 * ids, one user per MovieLens user, their ratings and tags as events at their original times. Every
 * event goes through the same deciders as a command would; ids are derived from MovieLens's, so a
 * second run (or the rest of an interrupted one) adds only what is missing. Malformed rows are
 * reported with file and line and skipped.
 */
export const importMovieLens = async (
  environment: CommandEnvironment,
  directory: string,
  options: ImportOptions = {},
): Promise<ImportSummary> => {
  const rejected: Rejection[] = [];
  const reject = (rejection: Rejection): void => void rejected.push(rejection);
  const now = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 512;
  let eventsAppended = 0;

  const append = async (
    stream: StreamName,
    events: readonly DomainEvent[],
    metadata: EventMetadata,
    name: string,
  ): Promise<'appended' | 'present' | 'taken'> => {
    try {
      const result = await appendTyped(environment.store, environment.registry, stream, events, {
        expectedRevision: 'no_stream',
        metadata,
        eventIds: eventIdsFor(name)(events.length),
      });
      if (result.appended) eventsAppended += events.length;
      return result.appended ? 'appended' : 'present';
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return 'taken';
      throw error;
    }
  };
  const metadata = (occurredAt: Date, actorId: string | null = null): EventMetadata => ({
    occurredAt: occurredAt.toISOString(),
    actorId,
    correlationId: 'movielens-import',
    causationId: null,
    bulk: true,
  });

  // links.csv: external ids (optional file).
  const links = new Map<number, { imdbId?: string; tmdbId?: number }>();
  if (await exists(join(directory, 'links.csv'))) {
    for await (const row of readCsv(join(directory, 'links.csv'), ['movieId', 'imdbId', 'tmdbId'], reject)) {
      const movieLensId = positiveInteger(row.fields.movieId);
      if (movieLensId === undefined) {
        reject({ file: 'links.csv', line: row.line, reason: `movieId ${JSON.stringify(row.fields.movieId)} is not a positive integer` });
        continue;
      }
      const imdb = row.fields.imdbId?.trim() ?? '';
      const tmdb = positiveInteger(row.fields.tmdbId);
      links.set(movieLensId, {
        ...(/^\d{1,9}$/.test(imdb) ? { imdbId: `tt${imdb.padStart(7, '0')}` } : {}),
        ...(tmdb === undefined ? {} : { tmdbId: tmdb }),
      });
    }
  }

  // movies.csv
  const movies = new Map<number, Uuid>();
  const usedSlugs = new Set<string>();
  const movieRows: { movieLensId: number; movieId: Uuid; slug: Slug; details: MovieDetails }[] = [];
  for await (const row of readCsv(join(directory, 'movies.csv'), ['movieId', 'title', 'genres'], reject)) {
    const movieLensId = positiveInteger(row.fields.movieId);
    const parsed = parseTitle(row.fields.title ?? '');
    const { genres, unknown } = mapGenres(row.fields.genres ?? '');
    const title = Title.decode(parsed.title);
    const year = parsed.year === null ? E.right(null) : Year.decode(parsed.year);
    const externalIds = ExternalIds.decode({ movielensId: movieLensId, ...links.get(movieLensId ?? 0) });
    const problems = [
      movieLensId === undefined ? `movieId ${JSON.stringify(row.fields.movieId)} is not a positive integer` : undefined,
      E.isLeft(title) ? 'the title is empty or longer than 300 characters' : undefined,
      E.isLeft(year) ? `the year ${String(parsed.year)} is not from 1870 to 2100` : undefined,
      unknown.length > 0 ? `unknown genres ${unknown.join(', ')}` : undefined,
      movieLensId !== undefined && movies.has(movieLensId) ? `movieId ${movieLensId} appears twice` : undefined,
    ].filter((problem) => problem !== undefined);
    if (problems.length > 0 || movieLensId === undefined || E.isLeft(title) || E.isLeft(year) || E.isLeft(externalIds)) {
      reject({ file: 'movies.csv', line: row.line, reason: problems.join('; ') || 'its external ids are malformed' });
      continue;
    }
    const movieId = movieIdFor(movieLensId);
    movies.set(movieLensId, movieId);
    // Two MovieLens movies can share title and year ("Emma (1996)"): the later one's slug says which it is.
    let slug = slugFor(title.right, year.right);
    if (usedSlugs.has(slug)) slug = `${slug}-ml${movieLensId}`;
    usedSlugs.add(slug);
    const validSlug = Slug.decode(slug);
    if (E.isLeft(validSlug)) throw new Error(`no valid slug for movie ${movieLensId}`);
    movieRows.push({
      movieLensId,
      movieId,
      slug: validSlug.right,
      details: { title: title.right, year: year.right, genres, overview: noOverview, runtime: null, externalIds: externalIds.right },
    });
  }

  let done = 0;
  const progress = (phase: ImportProgress['phase'], total: number): (() => void) => {
    done = 0;
    options.onProgress?.({ phase, done, total });
    return () => options.onProgress?.({ phase, done: ++done, total });
  };

  let step = progress('movies', movieRows.length);
  const importedAt = now();
  await inParallel(movieRows, concurrency, async (movie) => {
    let slug = movie.slug;
    // The slug's reservation first, as adding a movie over HTTP does; a slug some other movie of the
    // installation holds already gets the MovieLens id appended.
    for (;;) {
      const outcome = await append(
        slugReservationStream(slug),
        [{ type: 'SlugReserved', data: { slug, movieId: movie.movieId } }],
        metadata(importedAt),
        `slug ${slug}`,
      );
      if (outcome !== 'taken') break;
      const [holder] = await environment.store.readStream(slugReservationStream(slug), { maxCount: 1 });
      if (holder?.data.movieId === movie.movieId) break;
      const suffixed = Slug.decode(`${movie.slug}-ml${movie.movieLensId}`);
      if (E.isLeft(suffixed) || suffixed.right === slug) throw new Error(`no free slug for movie ${movie.movieLensId}`);
      slug = suffixed.right;
    }
    const decided = movieDecider.decide(
      { type: 'AddMovie', movieId: movie.movieId, slug, details: movie.details },
      movieDecider.initialState(),
    );
    if (E.isLeft(decided)) throw new Error(`movie ${movie.movieLensId}: ${decided.left.type}`);
    await append(movieStream(movie.movieId), decided.right, metadata(importedAt), `movie ${movie.movieLensId}`);
    step();
  });

  // ratings.csv and tags.csv, grouped by user and movie, in time order.
  const activity = new Map<string, { userLensId: number; movieLensId: number; items: Activity[] }>();
  const users = new Set<number>();
  let ratings = 0;
  let tags = 0;
  const record = (
    file: string,
    line: number,
    user: number | undefined,
    movie: number | undefined,
    at: number | undefined,
    command: Activity['command'] | string,
  ): void => {
    const problems = [
      user === undefined ? 'userId is not a positive integer' : undefined,
      movie === undefined ? 'movieId is not a positive integer' : movies.has(movie) ? undefined : `movie ${movie} is not in movies.csv`,
      at === undefined ? 'timestamp is not a number of seconds' : undefined,
      typeof command === 'string' ? command : undefined,
    ].filter((problem) => problem !== undefined);
    if (problems.length > 0 || user === undefined || movie === undefined || at === undefined || typeof command === 'string') {
      reject({ file, line, reason: problems.join('; ') });
      return;
    }
    users.add(user);
    const key = `${user} ${movie}`;
    const entry = activity.get(key) ?? { userLensId: user, movieLensId: movie, items: [] };
    entry.items.push({ line, file, at, command });
    activity.set(key, entry);
    if (command.type === 'RateMovie') ratings++;
    else tags++;
  };
  for await (const row of readCsv(join(directory, 'ratings.csv'), ['userId', 'movieId', 'rating', 'timestamp'], reject)) {
    const score = Score.decode(Number(row.fields.rating));
    record(
      'ratings.csv',
      row.line,
      positiveInteger(row.fields.userId),
      positiveInteger(row.fields.movieId),
      seconds(row.fields.timestamp),
      E.isRight(score) && /^\s*\d+(\.\d+)?\s*$/.test(row.fields.rating ?? '')
        ? { type: 'RateMovie', score: score.right }
        : `rating ${JSON.stringify(row.fields.rating)} is not from 0.5 to 5 in half stars`,
    );
  }
  if (await exists(join(directory, 'tags.csv'))) {
    for await (const row of readCsv(join(directory, 'tags.csv'), ['userId', 'movieId', 'tag', 'timestamp'], reject)) {
      const tag = Tag.decode(row.fields.tag ?? '');
      record(
        'tags.csv',
        row.line,
        positiveInteger(row.fields.userId),
        positiveInteger(row.fields.movieId),
        seconds(row.fields.timestamp),
        E.isRight(tag) ? { type: 'TagMovie', tag: tag.right } : 'the tag is empty or longer than 100 characters',
      );
    }
  }

  // Each user's id once, not once per rating: a v5 id costs a SHA-1.
  const userIds = new Map([...users].map((userLensId) => [userLensId, userIdFor(userLensId)]));
  // One account per MovieLens user. They cannot sign in: MovieLens has no passwords, and "!" is no scrypt hash.
  step = progress('users', users.size);
  await inParallel([...userIds], concurrency, async ([userLensId, userId]) => {
    const email = Email.decode(`movielens-${userLensId}@movielens.invalid`);
    const displayName = DisplayName.decode(`MovieLens user ${userLensId}`);
    if (E.isLeft(email) || E.isLeft(displayName)) throw new Error(`no valid account for MovieLens user ${userLensId}`);
    await append(
      emailReservationStream(email.right),
      [{ type: 'EmailReserved', data: { email: email.right, userId } }],
      metadata(importedAt),
      `email ${userLensId}`,
    );
    const decided = accountDecider.decide(
      { type: 'RegisterUser', userId, email: email.right, displayName: displayName.right, passwordHash: '!', role: 'user' },
      accountDecider.initialState(),
    );
    if (E.isLeft(decided)) throw new Error(`user ${userLensId}: ${decided.left.type}`);
    await append(userStream(userId), decided.right, metadata(importedAt, userId), `user ${userLensId}`);
    step();
  });

  step = progress('ratings and tags', activity.size);
  await inParallel([...activity.values()], concurrency, async (entry) => {
    const userId = userIds.get(entry.userLensId);
    const movieId = movies.get(entry.movieLensId);
    if (userId === undefined || movieId === undefined)
      throw new Error(`no id for MovieLens user ${entry.userLensId} or movie ${entry.movieLensId}`);
    let state = viewingDecider.initialState();
    // Events of one append share their metadata, so each is appended with its own time: a stream's
    // events go in one append per distinct time, in time order.
    const ordered = [...entry.items].sort((a, b) => a.at - b.at || a.line - b.line);
    const batches: { at: number; events: DomainEvent[] }[] = [];
    for (const item of ordered) {
      const command = { ...item.command, userId, movieId, movie: 'available' } as ViewingCommand;
      const decided = viewingDecider.decide(command, state);
      if (E.isLeft(decided)) throw new Error(`${item.file} line ${item.line}: ${decided.left.type}`);
      for (const event of decided.right) state = viewingDecider.evolve(state, event);
      const last = batches[batches.length - 1];
      if (last !== undefined && last.at === item.at) last.events.push(...decided.right);
      else if (decided.right.length > 0) batches.push({ at: item.at, events: [...decided.right] });
    }
    await appendInOrder(entry, batches, userId, movieId);
    step();
  });

  async function appendInOrder(
    entry: { userLensId: number; movieLensId: number },
    batches: readonly { at: number; events: DomainEvent[] }[],
    userId: Uuid,
    movieId: Uuid,
  ): Promise<void> {
    const stream = viewingStream(userId, movieId);
    let revision: bigint | 'no_stream' = 'no_stream';
    for (const [index, batch] of batches.entries()) {
      const name = `viewing ${entry.userLensId} ${entry.movieLensId} ${index}`;
      const result: AppendResult = await appendTyped(environment.store, environment.registry, stream, batch.events, {
        expectedRevision: revision,
        metadata: metadata(new Date(batch.at * 1000), userId),
        eventIds: eventIdsFor(name)(batch.events.length),
      });
      if (result.appended) eventsAppended += batch.events.length;
      revision = result.nextExpectedRevision;
    }
  }

  return { movies: movieRows.length, users: users.size, ratings, tags, eventsAppended, rejected };
};

/** MovieLens has no overviews. */
const noOverview = (() => {
  const empty = Overview.decode('');
  if (E.isLeft(empty)) throw new Error('the empty overview is not valid');
  return empty.right;
})();

const positiveInteger = (value: string | undefined): number | undefined => {
  const trimmed = value?.trim() ?? '';
  if (!/^\d{1,9}$/.test(trimmed)) return undefined;
  const number = Number(trimmed);
  return number > 0 ? number : undefined;
};

const seconds = (value: string | undefined): number | undefined => {
  const trimmed = value?.trim() ?? '';
  return /^\d{1,11}$/.test(trimmed) ? Number(trimmed) : undefined;
};

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );
