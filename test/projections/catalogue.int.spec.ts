import { expect } from 'chai';
import { catalogue } from '../../src/projections/catalogue/projection.ts';
import { projectionSpec, recorded } from '../support/projectionSpec.ts';
import { overview, slug, title, uuid, year } from '../support/values.ts';

describe('the catalogue projection', () => {
  const spec = projectionSpec(catalogue);
  const added = (movieId: string, name: string, at: string) =>
    recorded(
      {
        type: 'MovieAdded',
        data: {
          movieId: movieId as never,
          slug: slug(`${name.toLowerCase().replace(/\W+/g, '-')}-${movieId.slice(0, 4)}`),
          title: title(name),
          year: year(1995),
          genres: ['crime'],
          overview: overview('Bank robbers and the police.'),
          runtime: null,
          externalIds: { tmdbId: 949 as never },
        },
      },
      { occurredAt: at },
    );

  it('adds movies with their times and a search document weighted title > genres > overview', async () => {
    const id = uuid();
    await spec.given(added(id, 'Heat', '2026-01-01T10:00:00.000Z'));
    const [row] = await spec.rows<{ title: string; created_at: Date; external_ids: unknown; ranks: number[] }>(
      `SELECT title, created_at, external_ids,
              ARRAY[ts_rank(search, to_tsquery('english', 'heat')), ts_rank(search, to_tsquery('english', 'crime')), ts_rank(search, to_tsquery('english', 'police'))] AS ranks
         FROM movies WHERE movie_id = $1`,
      [id],
    );
    expect(row?.title).to.equal('Heat');
    expect(row?.created_at.toISOString()).to.equal('2026-01-01T10:00:00.000Z');
    expect(row?.external_ids).to.deep.equal({ tmdbId: 949 });
    const [byTitle, byGenre, byOverview] = row?.ranks ?? [];
    expect(byTitle).to.be.greaterThan(byGenre ?? 0);
    expect(byGenre).to.be.greaterThan(byOverview ?? 0);
  });

  it('applies changes, refreshing the search document, and archives', async () => {
    const id = uuid();
    await spec.given(added(id, 'Heat', '2026-01-01T10:00:00.000Z'));
    await spec.given(
      recorded(
        { type: 'MovieDetailsChanged', data: { movieId: id, title: title('Heat: Director Cut'), year: null } },
        { occurredAt: '2026-01-02T10:00:00.000Z' },
      ),
      recorded({ type: 'MovieArchived', data: { movieId: id } }, { occurredAt: '2026-01-03T10:00:00.000Z' }),
    );
    const [row] = await spec.rows<{ title: string; year: number | null; archived: boolean; updated_at: Date; found: boolean }>(
      `SELECT title, year, archived, updated_at, search @@ to_tsquery('english', 'director') AS found FROM movies WHERE movie_id = $1`,
      [id],
    );
    expect(row).to.deep.include({ title: 'Heat: Director Cut', year: null, archived: true, found: true });
    expect(row?.updated_at.toISOString()).to.equal('2026-01-03T10:00:00.000Z');
  });

  it('applies a replayed addition once', async () => {
    const id = uuid();
    const event = added(id, 'Ronin', '2026-01-01T10:00:00.000Z');
    await spec.given(event);
    await spec.given(event);
    expect(await spec.rows('SELECT count(*)::int AS n FROM movies WHERE movie_id = $1', [id])).to.deep.equal([{ n: 1 }]);
  });
});
