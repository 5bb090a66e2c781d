import { expect } from 'chai';
import { meanScores, scoreTopK } from '../../src/recommendations/metrics.ts';
import type { MovieLensRating } from '../../src/recommendations/movielens.ts';
import { temporalSplit } from '../../src/recommendations/split.ts';

const ratings = (userId: number, count: number, start = 1_000): MovieLensRating[] =>
  Array.from({ length: count }, (_, n) => ({ userId, movieId: 100 + n, score: 4, timestamp: start + n }));

describe('the temporal split', () => {
  it('holds out each user’s latest 20%, rounded, at least one', () => {
    const splits = temporalSplit([...ratings(1, 10), ...ratings(2, 3), ...ratings(3, 1), ...ratings(4, 8)]);
    expect(splits.map((split) => [split.userId, split.training.length, split.heldOut.length])).to.deep.equal([
      [1, 8, 2],
      [2, 2, 1],
      [3, 0, 1],
      [4, 6, 2],
    ]);
    expect(splits[0]?.heldOut.map((rating) => rating.movieId)).to.deep.equal([108, 109]);
  });

  it('sorts by time whatever the order of the file, ties by movie id', () => {
    const shuffled: MovieLensRating[] = [
      { userId: 7, movieId: 3, score: 1, timestamp: 50 },
      { userId: 7, movieId: 2, score: 5, timestamp: 50 },
      { userId: 7, movieId: 9, score: 3, timestamp: 10 },
    ];
    const [split] = temporalSplit(shuffled);
    expect(split?.training.map((rating) => rating.movieId)).to.deep.equal([9, 2]);
    expect(split?.heldOut.map((rating) => rating.movieId)).to.deep.equal([3]);
  });
});

describe('the top-k metrics', () => {
  it('count hits at their rank', () => {
    const scores = scoreTopK([5, 1, 7, 2], new Set([1, 2, 3]), 10);
    expect(scores.precision).to.equal(0.2);
    expect(scores.recall).to.be.closeTo(2 / 3, 1e-12);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const ideal = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(scores.ndcg).to.be.closeTo(dcg / ideal, 1e-12);
  });

  it('ignore what is ranked past k, and are 1 for a perfect list', () => {
    expect(scoreTopK([9, 8, 1], new Set([1]), 2)).to.deep.equal({ precision: 0, recall: 0, ndcg: 0 });
    expect(scoreTopK([1, 2], new Set([1, 2]), 2)).to.deep.equal({ precision: 1, recall: 1, ndcg: 1 });
    // More relevant items than k: the ideal list is k hits.
    expect(scoreTopK([1], new Set([1, 2, 3]), 1)).to.deep.equal({ precision: 1, recall: 1 / 3, ndcg: 1 });
  });

  it('average over users', () => {
    expect(
      meanScores([
        { precision: 0.2, recall: 1, ndcg: 1 },
        { precision: 0, recall: 0, ndcg: 0 },
      ]),
    ).to.deep.equal({ precision: 0.1, recall: 0.5, ndcg: 0.5 });
  });
});
