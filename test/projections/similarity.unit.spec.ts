import { expect } from 'chai';
import { topNeighbours, type SparseInteractions } from '../../src/projections/cowatch/similarity.ts';

/** Users' items (and weights, 1 unless given) as the sparse matrix the model takes. */
const matrix = (items: number, users: readonly (readonly (number | [number, number])[])[]): SparseInteractions => {
  const entries = users.flatMap((list, user) => list.map((entry) => (typeof entry === 'number' ? [user, entry, 1] : [user, ...entry])));
  return {
    users: users.length,
    items,
    user: Int32Array.from(entries.map((entry) => entry[0]!)),
    item: Int32Array.from(entries.map((entry) => entry[1]!)),
    weight: Float64Array.from(entries.map((entry) => entry[2]!)),
  };
};

const neighboursOf = (model: ReturnType<typeof topNeighbours>, item: number): [number, number][] => {
  const list: [number, number][] = [];
  for (let n = model.offsets[item]!; n < model.offsets[item + 1]!; n++) list.push([model.neighbours[n]!, model.similarities[n]!]);
  return list;
};

describe('item-to-item similarity', () => {
  it('is the cosine of co-occurrence, damped by shrinkage', () => {
    // Items 0 and 1 together for two users; item 2 with 0 for one user only.
    const model = topNeighbours(matrix(3, [[0, 1], [0, 1], [0, 2], [1]]), { neighbours: 5, shrinkage: 1 });
    const [first, second] = neighboursOf(model, 0);
    expect(first?.[0]).to.equal(1);
    expect(first?.[1]).to.be.closeTo(2 / (Math.sqrt(3 * 3) + 1), 1e-12);
    expect(second?.[0]).to.equal(2);
    expect(second?.[1]).to.be.closeTo(1 / (Math.sqrt(3 * 1) + 1), 1e-12);
    expect(neighboursOf(model, 2).map(([item]) => item)).to.deep.equal([0]);
  });

  it('ranks a pair with support above a perfect pair seen once', () => {
    // 0~1: 20 users share both; 2~3: one user, and nobody else has either.
    const users = [...Array.from({ length: 20 }, () => [0, 1]), ...Array.from({ length: 20 }, () => [0]), [2, 3, 1]];
    const model = topNeighbours(matrix(4, users), { neighbours: 3, shrinkage: 10 });
    const fromOne = neighboursOf(model, 1);
    expect(fromOne.map(([item]) => item)).to.deep.equal([0, 2, 3]);
    expect(fromOne[0]![1]).to.be.greaterThan(fromOne[1]![1] * 2);
  });

  it('keeps the k best neighbours, best first, ties to the lower index', () => {
    const model = topNeighbours(
      matrix(5, [
        [0, 1, 2, 3, 4],
        [0, 4],
        [0, 3, 4],
      ]),
      { neighbours: 2, shrinkage: 0 },
    );
    expect(neighboursOf(model, 0).map(([item]) => item)).to.deep.equal([4, 3]);
    const flat = topNeighbours(matrix(4, [[0, 1, 2, 3]]), { neighbours: 2, shrinkage: 0 });
    expect(neighboursOf(flat, 3).map(([item]) => item)).to.deep.equal([0, 1]);
  });

  it('weighs graded interactions', () => {
    // User 0 loves 0 and 1; user 1 loves 0 and barely likes 2.
    const model = topNeighbours(
      matrix(3, [
        [
          [0, 1],
          [1, 1],
        ],
        [
          [0, 1],
          [2, 0.2],
        ],
      ]),
      { neighbours: 2, shrinkage: 0 },
    );
    const [best, next] = neighboursOf(model, 0);
    expect(best?.[0]).to.equal(1);
    expect(next?.[0]).to.equal(2);
    // cos(0, 2) = 0.2 / (sqrt(2) · 0.2): with shrinkage 0 a single weak co-occurrence is as similar as a strong one.
    expect(next?.[1]).to.be.closeTo(best?.[1] ?? 0, 1e-12);
  });

  it('gives an item nobody shares no neighbours', () => {
    const model = topNeighbours(matrix(3, [[0], [1, 2]]), { neighbours: 5, shrinkage: 1 });
    expect(neighboursOf(model, 0)).to.deep.equal([]);
    expect(neighboursOf(model, 1).map(([item]) => item)).to.deep.equal([2]);
  });
});
