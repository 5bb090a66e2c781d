import { expect } from 'chai';
import type pg from 'pg';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { Uuid } from '../../src/domain/shared/codecs.ts';
import type { RecordedEvent } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { cowatch } from '../../src/projections/cowatch/projection.ts';
import { refreshSimilarity } from '../../src/projections/cowatch/refresh.ts';
import { ensureProjectionSchema } from '../../src/projections/runtime/schema.ts';
import { runStatements } from '../../src/projections/runtime/statements.ts';
import { recorded } from '../support/projectionSpec.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgresServer.ts';
import { at, score, uuid } from '../support/values.ts';

describe('the co-watch read model', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, 4, 'spec');
    await ensureProjectionSchema(pool, cowatch, { stateName: 'cowatch', schema: 'rm_cowatch' });
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  const given = async (...events: RecordedEvent<DomainEvent>[]): Promise<void> => {
    await runStatements(pool, 'rm_cowatch', cowatch.statements(events));
  };
  const rated = (userId: Uuid, movieId: Uuid, value: number, occurredAt = '2018-05-01T12:00:00Z') =>
    recorded({ type: 'MovieRated', data: { userId, movieId, score: score(value), previousScore: null } }, { occurredAt });
  const retracted = (userId: Uuid, movieId: Uuid, previous: number) =>
    recorded({ type: 'RatingRetracted', data: { userId, movieId, previousScore: score(previous) } });
  const watched = (userId: Uuid, movieId: Uuid, watchedAt = '2018-05-02T20:00:00Z') =>
    recorded({ type: 'MovieWatched', data: { userId, movieId, watchedAt: at(watchedAt) } });
  const interactions = async (userId: Uuid) =>
    (
      await pool.query<{ movie_id: string; score: number | null; watched: boolean; at: Date }>(
        'SELECT movie_id, score::float8 AS score, watched, at FROM rm_cowatch.interactions WHERE user_id = $1 ORDER BY at, movie_id',
        [userId],
      )
    ).rows.map((row) => ({ ...row, at: row.at.toISOString() }));

  describe('the interactions', () => {
    it('keep the current rating, the watch and the latest time of each', async () => {
      const [ann, heat, alien] = [uuid(), uuid(), uuid()];
      await given(rated(ann, heat, 3, '2018-05-01T12:00:00Z'), rated(ann, heat, 4.5, '2018-05-03T12:00:00Z'));
      await given(watched(ann, alien, '2018-05-02T20:00:00Z'), watched(ann, heat, '2018-05-02T21:00:00Z'));
      expect(await interactions(ann)).to.deep.equal([
        { movie_id: alien, score: null, watched: true, at: '2018-05-02T20:00:00.000Z' },
        { movie_id: heat, score: 4.5, watched: true, at: '2018-05-03T12:00:00.000Z' },
      ]);
    });

    it('forget a retracted rating, and the movie with it unless it was watched', async () => {
      const [ann, heat, alien] = [uuid(), uuid(), uuid()];
      await given(rated(ann, heat, 4), rated(ann, alien, 2), watched(ann, alien));
      await given(retracted(ann, heat, 4), retracted(ann, alien, 2));
      expect(await interactions(ann)).to.deep.equal([{ movie_id: alien, score: null, watched: true, at: '2018-05-02T20:00:00.000Z' }]);
      // Rated and retracted within one batch: nothing to keep.
      const [bob, up] = [uuid(), uuid()];
      await given(rated(bob, up, 5), retracted(bob, up, 5));
      expect(await interactions(bob)).to.deep.equal([]);
    });

    it('come to the same rows whatever the batches (a rebuild compares them)', async () => {
      const [ann, bob] = [uuid(), uuid()];
      const history = (movie: Uuid) => [
        rated(ann, movie, 4, '2018-05-01T12:00:00Z'),
        watched(bob, movie, '2018-05-01T13:00:00Z'),
        retracted(ann, movie, 4),
        rated(bob, movie, 2.5, '2018-05-01T14:00:00Z'),
        rated(ann, movie, 3, '2018-05-01T15:00:00Z'),
        retracted(bob, movie, 2.5),
      ];
      const [together, apart] = [uuid(), uuid()];
      await given(...history(together));
      for (const event of history(apart)) await given(event);
      const rows = async (movie: Uuid) =>
        (
          await pool.query<{ user_id: string; score: number | null; watched: boolean; at: Date }>(
            'SELECT user_id, score::float8 AS score, watched, at FROM rm_cowatch.interactions WHERE movie_id = $1 ORDER BY user_id',
            [movie],
          )
        ).rows;
      expect(await rows(apart)).to.deep.equal(await rows(together));
      expect((await rows(together)).map((row) => [row.score, row.watched])).to.have.deep.members([
        [3, false],
        [null, true],
      ]);
    });

    it('note the position of the last event that changed them', async () => {
      const event = rated(uuid(), uuid(), 4);
      await given(event);
      const { rows } = await pool.query<{ position: string }>('SELECT position FROM rm_cowatch.source');
      expect(rows[0]?.position).to.equal(event.position.toString());
    });
  });

  describe('the similarity refresh', () => {
    const neighbours = async (table: 'also_watched' | 'item_neighbours', movieId: Uuid) => {
      const { rows } = await pool.query<{ neighbour_ids: string[]; similarities: number[] }>(
        `SELECT neighbour_ids, similarities FROM similarity.${table} WHERE movie_id = $1`,
        [movieId],
      );
      return rows[0] ?? { neighbour_ids: [], similarities: [] };
    };

    it('finds what the fans of a movie also liked or watched, and nothing from a dislike', async () => {
      const [heat, ronin, collateral, gigli] = [uuid(), uuid(), uuid(), uuid()];
      const fans = [uuid(), uuid(), uuid()];
      await given(
        ...fans.flatMap((fan) => [rated(fan, heat, 5), rated(fan, ronin, 4)]),
        watched(fans[0]!, collateral),
        rated(fans[1]!, gigli, 1),
      );
      expect(await refreshSimilarity(pool)).to.include({ kind: 'refreshed' });
      const alsoWatched = await neighbours('also_watched', heat);
      expect(alsoWatched.neighbour_ids).to.deep.equal([ronin, collateral]);
      // Three shared fans of three each, shrinkage 10: 3 / (3 + 10); one shared of 3 and 1: 1 / (sqrt(3) + 10).
      expect(alsoWatched.similarities[0]).to.be.closeTo(3 / 13, 1e-6);
      expect(alsoWatched.similarities[1]).to.be.closeTo(1 / (Math.sqrt(3) + 10), 1e-6);
      // The recommendation model counts every rating, graded: the disliked movie is a (weak) neighbour there.
      const graded = await neighbours('item_neighbours', heat);
      expect(graded.neighbour_ids[0]).to.equal(ronin);
      expect(graded.neighbour_ids).to.include(gigli);
    });

    it('recomputes only when the interactions changed', async () => {
      await refreshSimilarity(pool);
      expect(await refreshSimilarity(pool)).to.deep.equal({ kind: 'fresh' });
      const [heat, thief] = [uuid(), uuid()];
      const fan = uuid();
      await given(rated(fan, heat, 5), rated(fan, thief, 5));
      expect(await refreshSimilarity(pool)).to.include({ kind: 'refreshed' });
      expect((await neighbours('also_watched', thief)).neighbour_ids).to.deep.equal([heat]);
    });

    it('leaves the computation to another process that is at it', async () => {
      const holder = await pool.connect();
      try {
        await holder.query("SELECT pg_advisory_lock(hashtextextended('fastflix.similarity.refresh', 0))");
        expect(await refreshSimilarity(pool, { wait: false })).to.deep.equal({ kind: 'busy' });
      } finally {
        await holder.query("SELECT pg_advisory_unlock(hashtextextended('fastflix.similarity.refresh', 0))");
        holder.release();
      }
    });
  });
});
