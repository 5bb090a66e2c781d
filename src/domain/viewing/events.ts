import * as t from 'io-ts';
import { IsoDateTime, Score, Uuid } from '../shared/codecs.ts';
import { defineEvent, type EventOf } from '../shared/eventDefinition.ts';

// What one viewer does with one movie lives in one stream, `viewing-<userId>_<movieId>`. Why that
// boundary: the only invariants (one current rating; a watchlist entry at most once) are per user and
// movie, so nothing else ever needs to be read to decide; two requests contend only when they are about
// the same user and the same movie; and the fold is a handful of events, however active the user is.
// A stream per user would make every command read the user's whole history, and serialise all of a
// user's concurrent requests.

export const MovieRated = defineEvent(
  'MovieRated',
  // The replaced score travels with the event so that projections update sums without looking it up.
  t.type({ userId: Uuid, movieId: Uuid, score: Score, previousScore: t.union([Score, t.null]) }),
);
export const RatingRetracted = defineEvent('RatingRetracted', t.type({ userId: Uuid, movieId: Uuid, previousScore: Score }));
export const MovieWatched = defineEvent('MovieWatched', t.type({ userId: Uuid, movieId: Uuid, watchedAt: IsoDateTime }));
export const AddedToWatchlist = defineEvent('AddedToWatchlist', t.type({ userId: Uuid, movieId: Uuid }));
export const RemovedFromWatchlist = defineEvent('RemovedFromWatchlist', t.type({ userId: Uuid, movieId: Uuid }));

export interface TagBrand {
  readonly Tag: unique symbol;
}
/** A viewer's free-text label for a movie ("heist", "slow burn"), as MovieLens has them. */
export const Tag = t.brand(t.string, (s): s is t.Branded<string, TagBrand> => s.trim().length >= 1 && s.length <= 100, 'Tag');
export type Tag = t.TypeOf<typeof Tag>;
export const MovieTagged = defineEvent('MovieTagged', t.type({ userId: Uuid, movieId: Uuid, tag: Tag }));

export const viewingEvents = [MovieRated, RatingRetracted, MovieWatched, AddedToWatchlist, RemovedFromWatchlist, MovieTagged] as const;
export type ViewingEvent = EventOf<(typeof viewingEvents)[number]>;
