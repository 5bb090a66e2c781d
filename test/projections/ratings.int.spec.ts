import { expect } from 'chai';
import { ratings } from '../../src/projections/ratings/projection.ts';
import { projectionSpec } from '../support/projectionSpec.ts';
import type { Uuid } from '../../src/domain/shared/codecs.ts';
import { score, uuid } from '../support/values.ts';

describe('the ratings projection', () => {
  const spec = projectionSpec(ratings);
  const rated = (userId: Uuid, movieId: Uuid, value: number, previous: number | null = null) =>
    ({
      type: 'MovieRated',
      data: { userId, movieId, score: score(value), previousScore: previous === null ? null : score(previous) },
    }) as const;

  it('counts, sums and histograms each movie, and keeps each user’s score', async () => {
    const movie = uuid();
    const [ann, bob] = [uuid(), uuid()];
    await spec.given(rated(ann, movie, 4), rated(bob, movie, 2.5));
    const [row] = await spec.rows('SELECT count, half_point_sum, histogram, average::float FROM movie_ratings WHERE movie_id = $1', [
      movie,
    ]);
    expect(row).to.deep.equal({ count: 2, half_point_sum: '13', histogram: [0, 0, 0, 0, 1, 0, 0, 1, 0, 0], average: 3.25 });
    expect(await spec.rows('SELECT user_id, score::float FROM user_ratings WHERE movie_id = $1 ORDER BY score', [movie])).to.deep.equal([
      { user_id: bob, score: 2.5 },
      { user_id: ann, score: 4 },
    ]);
  });

  it('replaces a re-rating rather than counting it twice, across batches and within one', async () => {
    const movie = uuid();
    const ann = uuid();
    await spec.given(rated(ann, movie, 4));
    await spec.given(rated(ann, movie, 5, 4), rated(ann, movie, 1, 5));
    const [row] = await spec.rows('SELECT count, half_point_sum, histogram FROM movie_ratings WHERE movie_id = $1', [movie]);
    expect(row).to.deep.equal({ count: 1, half_point_sum: '2', histogram: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(await spec.rows('SELECT score::float FROM user_ratings WHERE user_id = $1', [ann])).to.deep.equal([{ score: 1 }]);
  });

  it('takes a retracted rating out of the movie and off the user', async () => {
    const movie = uuid();
    const [ann, bob] = [uuid(), uuid()];
    await spec.given(rated(ann, movie, 4), rated(bob, movie, 3));
    await spec.given({ type: 'RatingRetracted', data: { userId: ann, movieId: movie, previousScore: score(4) } });
    const [row] = await spec.rows('SELECT count, average::float FROM movie_ratings WHERE movie_id = $1', [movie]);
    expect(row).to.deep.equal({ count: 1, average: 3 });
    expect(await spec.rows('SELECT * FROM user_ratings WHERE user_id = $1', [ann])).to.deep.equal([]);
  });

  it('takes ratings, re-ratings and retractions of one batch together', async () => {
    const movie = uuid();
    const [ann, bob, cid, dee] = [uuid(), uuid(), uuid(), uuid()];
    await spec.given(rated(ann, movie, 4), rated(bob, movie, 3), rated(dee, movie, 2));
    const retract = (userId: Uuid, previous: number) =>
      ({ type: 'RatingRetracted', data: { userId, movieId: movie, previousScore: score(previous) } }) as const;
    await spec.given(
      retract(ann, 4),
      rated(bob, movie, 5, 3),
      rated(cid, movie, 1),
      retract(cid, 1),
      retract(dee, 2),
      rated(dee, movie, 4.5),
    );
    const [row] = await spec.rows('SELECT count, half_point_sum, histogram FROM movie_ratings WHERE movie_id = $1', [movie]);
    expect(row).to.deep.equal({ count: 2, half_point_sum: '19', histogram: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1] });
    expect(await spec.rows('SELECT user_id, score::float FROM user_ratings WHERE movie_id = $1 ORDER BY score', [movie])).to.deep.equal([
      { user_id: dee, score: 4.5 },
      { user_id: bob, score: 5 },
    ]);
  });
});
