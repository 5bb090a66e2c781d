import type { Tag, ViewingEvent } from '../../../src/domain/viewing/events.ts';
import { viewingDecider, type MovieAvailability } from '../../../src/domain/viewing/decide.ts';
import { deciderSpec } from '../../support/deciderSpec.ts';
import { at, score, uuid } from '../../support/values.ts';

const spec = deciderSpec(viewingDecider);
const userId = uuid();
const movieId = uuid();
const on = (movie: MovieAvailability = 'available') => ({ userId, movieId, movie });
const rated = (value: number, previous: number | null = null): ViewingEvent => ({
  type: 'MovieRated',
  data: { userId, movieId, score: score(value), previousScore: previous === null ? null : score(previous) },
});
const listed: ViewingEvent = { type: 'AddedToWatchlist', data: { userId, movieId } };

describe('a viewer and a movie', () => {
  describe('when rating', () => {
    it('records the first rating', () =>
      spec
        .given([])
        .when({ type: 'RateMovie', score: score(4), ...on() })
        .then([rated(4)]));
    it('replaces an earlier rating, saying what it replaced', () =>
      spec
        .given([rated(4)])
        .when({ type: 'RateMovie', score: score(2.5), ...on() })
        .then([rated(2.5, 4)]));
    it('records nothing for the same score again', () =>
      spec
        .given([rated(4)])
        .when({ type: 'RateMovie', score: score(4), ...on() })
        .thenNothingHappens());
    it('refuses an unknown movie', () =>
      spec
        .given([])
        .when({ type: 'RateMovie', score: score(4), ...on('unknown') })
        .thenFails({ type: 'MovieNotFound' }));
    it('refuses an archived movie', () =>
      spec
        .given([])
        .when({ type: 'RateMovie', score: score(4), ...on('archived') })
        .thenFails({ type: 'MovieArchived' }));
  });

  describe('when retracting a rating', () => {
    it('records the retraction with the score it removes', () =>
      spec
        .given([rated(4), rated(3, 4)])
        .when({ type: 'RetractRating', ...on() })
        .then([{ type: 'RatingRetracted', data: { userId, movieId, previousScore: score(3) } }]));
    it('records nothing when there is no rating', () =>
      spec
        .given([])
        .when({ type: 'RetractRating', ...on() })
        .thenNothingHappens());
    it('is allowed after the movie was archived', () =>
      spec
        .given([rated(4)])
        .when({ type: 'RetractRating', ...on('archived') })
        .then([{ type: 'RatingRetracted', data: { userId, movieId, previousScore: score(4) } }]));
    it('refuses an unknown movie', () =>
      spec
        .given([])
        .when({ type: 'RetractRating', ...on('unknown') })
        .thenFails({ type: 'MovieNotFound' }));
  });

  describe('when marking as watched', () => {
    const watched = (when: string): ViewingEvent => ({ type: 'MovieWatched', data: { userId, movieId, watchedAt: at(when) } });
    it('records every viewing, rewatches included', () =>
      spec
        .given([watched('2026-01-01T20:00:00Z')])
        .when({ type: 'MarkWatched', watchedAt: at('2026-01-02T20:00:00Z'), ...on() })
        .then([watched('2026-01-02T20:00:00Z')]));
    it('refuses an archived movie', () =>
      spec
        .given([])
        .when({ type: 'MarkWatched', watchedAt: at('2026-01-02T20:00:00Z'), ...on('archived') })
        .thenFails({ type: 'MovieArchived' }));
  });

  describe('the watchlist', () => {
    it('takes a movie', () =>
      spec
        .given([])
        .when({ type: 'AddToWatchlist', ...on() })
        .then([listed]));
    it('takes it once', () =>
      spec
        .given([listed])
        .when({ type: 'AddToWatchlist', ...on() })
        .thenNothingHappens());
    it('lets it go', () =>
      spec
        .given([listed])
        .when({ type: 'RemoveFromWatchlist', ...on() })
        .then([{ type: 'RemovedFromWatchlist', data: { userId, movieId } }]));
    it('lets it go once', () =>
      spec
        .given([])
        .when({ type: 'RemoveFromWatchlist', ...on() })
        .thenNothingHappens());
    it('lets an archived movie go', () =>
      spec
        .given([listed])
        .when({ type: 'RemoveFromWatchlist', ...on('archived') })
        .then([{ type: 'RemovedFromWatchlist', data: { userId, movieId } }]));
    it('refuses to take an archived movie', () =>
      spec
        .given([])
        .when({ type: 'AddToWatchlist', ...on('archived') })
        .thenFails({ type: 'MovieArchived' }));
    it('refuses an unknown movie', () =>
      spec
        .given([])
        .when({ type: 'AddToWatchlist', ...on('unknown') })
        .thenFails({ type: 'MovieNotFound' }));
  });
});

describe('tagging a movie', () => {
  const userId = uuid();
  const movieId = uuid();
  const spec = deciderSpec(viewingDecider);
  const tagged = (label: string): ViewingEvent => ({ type: 'MovieTagged', data: { userId, movieId, tag: label as Tag } });
  it('records a label', () =>
    spec
      .given([])
      .when({ type: 'TagMovie', tag: 'heist' as Tag, userId, movieId, movie: 'available' })
      .then([tagged('heist')]));
  it('records a label once, in any letter case', () =>
    spec
      .given([tagged('Heist')])
      .when({ type: 'TagMovie', tag: 'heist' as Tag, userId, movieId, movie: 'available' })
      .thenNothingHappens());
  it('refuses an archived movie', () =>
    spec
      .given([])
      .when({ type: 'TagMovie', tag: 'heist' as Tag, userId, movieId, movie: 'archived' })
      .thenFails({ type: 'MovieArchived' }));
});
