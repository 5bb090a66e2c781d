import { expect } from 'chai';
import type { Uuid } from '../../src/domain/shared/codecs.ts';
import { trending } from '../../src/projections/trending/projection.ts';
import { projectionSpec, recorded } from '../support/projectionSpec.ts';
import { at, score, uuid } from '../support/values.ts';

describe('the trending projection', () => {
  const spec = projectionSpec(trending);
  const watched = (userId: Uuid, movieId: Uuid, occurredAt: string) =>
    recorded({ type: 'MovieWatched', data: { userId, movieId, watchedAt: at(occurredAt) } }, { occurredAt });
  const rated = (userId: Uuid, movieId: Uuid, value: number, occurredAt: string, previous: number | null = null) =>
    recorded(
      { type: 'MovieRated', data: { userId, movieId, score: score(value), previousScore: previous === null ? null : score(previous) } },
      { occurredAt },
    );
  const activity = (movieId: Uuid) =>
    spec.rows<{ hour: Date; watches: number; ratings: number; rating_half_stars: number }>(
      'SELECT hour, watches, ratings, rating_half_stars FROM activity WHERE movie_id = $1 ORDER BY hour',
      [movieId],
    );

  it('counts watches and ratings in the hour they happened, across batches', async () => {
    const [movie, ann, bob] = [uuid(), uuid(), uuid()];
    await spec.given(watched(ann, movie, '2018-03-01T10:05:00Z'), rated(ann, movie, 4.5, '2018-03-01T10:59:59Z'));
    await spec.given(watched(bob, movie, '2018-03-01T10:30:00Z'), rated(bob, movie, 2, '2018-03-01T11:00:00Z'));
    const rows = await activity(movie);
    expect(rows.map((row) => ({ ...row, hour: row.hour.toISOString() }))).to.deep.equal([
      { hour: '2018-03-01T10:00:00.000Z', watches: 2, ratings: 1, rating_half_stars: 9 },
      { hour: '2018-03-01T11:00:00.000Z', watches: 0, ratings: 1, rating_half_stars: 4 },
    ]);
  });

  it('counts a re-rating as new activity and takes nothing back for a retraction', async () => {
    const [movie, ann] = [uuid(), uuid()];
    await spec.given(rated(ann, movie, 3, '2018-03-02T08:00:00Z'), rated(ann, movie, 5, '2018-03-02T08:10:00Z', 3));
    await spec.given(
      recorded(
        { type: 'RatingRetracted', data: { userId: ann, movieId: movie, previousScore: score(5) } },
        { occurredAt: '2018-03-02T08:20:00Z' },
      ),
    );
    const rows = await activity(movie);
    expect(rows.map(({ watches, ratings, rating_half_stars }) => ({ watches, ratings, rating_half_stars }))).to.deep.equal([
      { watches: 0, ratings: 2, rating_half_stars: 16 },
    ]);
  });

  it('comes to the same rows whatever the batches (a rebuild compares them)', async () => {
    const [ann, bob] = [uuid(), uuid()];
    const events = (movie: Uuid) => [
      rated(ann, movie, 3.5, '2018-04-01T09:00:00Z'),
      watched(bob, movie, '2018-04-01T09:15:00Z'),
      rated(bob, movie, 1, '2018-04-01T09:45:00Z'),
    ];
    const [together, apart] = [uuid(), uuid()];
    await spec.given(...events(together));
    for (const event of events(apart)) await spec.given(event);
    expect(await activity(apart)).to.deep.equal(await activity(together));
    expect(await activity(apart)).to.have.length(1);
  });
});
