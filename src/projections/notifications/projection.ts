import { readFileSync } from 'node:fs';
import type { DomainEvent } from '../../domain/events.ts';
import type { RecordedEvent } from '../../infrastructure/eventStore/eventRegistry.ts';
import type { Projection } from '../runtime/projection.ts';
import type { Statement } from '../runtime/statements.ts';
import * as sql from './statements.ts';

/**
 * Each user's inbox: a welcome, a new movie in one of their three most-rated genres, a movie on their
 * watchlist changed or archived. Events of a bulk load (metadata `bulk`) keep the state that decides
 * who to notify, but notify nobody. Who is notified depends on the state at the causing event, so
 * each event that notifies is a statement of its own, after every state change before it
 * (statementsInOrder).
 */
export const notifications: Projection = {
  name: 'notifications',
  // 2: a retraction applied in a batch of its own counted as nothing (rebuild to correct the counts).
  // 3: a retraction counts out of the genres its rating was counted under (the ledger of ratings), so
  // that counts no longer depend on how events are batched (rebuild to correct them).
  version: 3,
  eventTypes: [
    'UserRegistered',
    'UserDeactivated',
    'UserForgotten',
    'MovieAdded',
    'MovieDetailsChanged',
    'MovieArchived',
    'MovieRated',
    'RatingRetracted',
    'AddedToWatchlist',
    'RemovedFromWatchlist',
    'NotificationRead',
  ],
  schema: `${readFileSync(new URL('./schema.sql', import.meta.url), 'utf8')}\n${sql.ratingsLedgerSchema}`,
  statements: (events) => {
    const batch = statementsInOrder();
    for (const event of events) applyEvent(event, batch);
    return batch.done();
  },
};

/**
 * The state changes of a batch gather by kind between the events that notify; each of those, and the
 * end of the batch, writes what gathered before it, movies first. Kinds need no order among
 * themselves otherwise: a rating counts under its movie's genres, and a movie is always added before
 * it is rated (a change of its genres notifies, so it writes what gathered before it first).
 * Gathering by kind rather than by run is what makes a bulk load cheap: a synthetic catalogue whose
 * log turns from movies to ratings every few events made a statement of each run, and this read
 * model was the one every other waited for.
 */
const statementsInOrder = () => {
  const statements: Statement[] = [];
  const movies: sql.MovieRow[] = [];
  const ratings: sql.RatingDelta[] = [];
  const watchlists: sql.WatchlistChange[] = [];
  const reads: sql.Read[] = [];
  const flush = (): void => {
    if (movies.length > 0) statements.push(sql.insertMovies(movies.splice(0)));
    if (ratings.length > 0) statements.push(...sql.countRatings(ratings.splice(0)));
    if (watchlists.length > 0) statements.push(sql.changeWatchlists(watchlists.splice(0)));
    if (reads.length > 0) statements.push(sql.markRead(reads.splice(0)));
  };
  return {
    movie: (row: sql.MovieRow): void => void movies.push(row),
    rating: (row: sql.RatingDelta): void => void ratings.push(row),
    watchlist: (row: sql.WatchlistChange): void => void watchlists.push(row),
    read: (row: sql.Read): void => void reads.push(row),
    single: (statement: Statement): void => {
      flush();
      statements.push(statement);
    },
    done: (): Statement[] => {
      flush();
      return statements;
    },
  };
};

type Batch = ReturnType<typeof statementsInOrder>;

const applyEvent = (event: RecordedEvent<DomainEvent>, batch: Batch): void => {
  const notifies = event.metadata.bulk !== true;
  const cause: sql.Cause = { eventId: event.eventId, position: event.position, at: event.metadata.occurredAt };
  switch (event.type) {
    case 'UserRegistered':
      if (notifies) batch.single(sql.welcome(cause, event.data.userId, event.data.displayName));
      return;
    case 'UserDeactivated':
      for (const statement of sql.leaveAudiences(event.data.userId)) batch.single(statement);
      return;
    // The welcome kept the display name: overwritten, not merely hidden. A rebuild reads the name
    // redacted already (its key is gone), so it does not come back.
    case 'UserForgotten':
      for (const statement of sql.leaveAudiences(event.data.userId)) batch.single(statement);
      batch.single(sql.forgetDisplayName(event.data.userId));
      return;
    case 'MovieAdded': {
      const { movieId, slug, title, genres } = event.data;
      const movie = { movie_id: movieId, slug, title, genres };
      batch.movie(movie);
      if (notifies && genres.length > 0) batch.single(sql.newMovieInFavouriteGenres(cause, movie));
      return;
    }
    case 'MovieDetailsChanged': {
      const { movieId, title, genres } = event.data;
      const changed = Object.entries(event.data).flatMap(([key, value]) => (key === 'movieId' || value === undefined ? [] : [key]));
      if (notifies) batch.single(sql.watchlistMovie(cause, 'watchlist.movieChanged', movieId, title, changed.sort()));
      if (title !== undefined || genres !== undefined) batch.single(sql.changeMovie(movieId, title, genres));
      return;
    }
    case 'MovieArchived':
      if (notifies) batch.single(sql.watchlistMovie(cause, 'watchlist.movieArchived', event.data.movieId, undefined, []));
      return;
    case 'MovieRated':
      if (event.data.previousScore === null) batch.rating({ user_id: event.data.userId, movie_id: event.data.movieId, delta: 1 });
      return;
    case 'RatingRetracted':
      batch.rating({ user_id: event.data.userId, movie_id: event.data.movieId, delta: -1 });
      return;
    case 'AddedToWatchlist':
    case 'RemovedFromWatchlist':
      batch.watchlist({ user_id: event.data.userId, movie_id: event.data.movieId, listed: event.type === 'AddedToWatchlist' });
      return;
    case 'NotificationRead':
      batch.read({ user_id: event.data.userId, notification_id: event.data.notificationId, at: event.metadata.occurredAt });
      return;
    default:
      return;
  }
};
