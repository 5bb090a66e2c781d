import { expect } from 'chai';
import { catalogue } from '../../src/projections/catalogue/projection.ts';
import { recountedVocabulary } from '../../src/projections/catalogue/vocabulary.ts';
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

  describe('the vocabulary of title words', () => {
    interface Count extends Record<string, unknown> {
      readonly word: string;
      readonly titles: number;
    }
    const vocabulary = (): Promise<Count[]> => spec.rows<Count>('SELECT word, titles FROM title_words ORDER BY word');
    const recounted = (): Promise<Count[]> => spec.rows<Count>(`SELECT * FROM (${recountedVocabulary}) r ORDER BY word`);
    const countOf = async (word: string): Promise<number | undefined> => (await vocabulary()).find((row) => row.word === word)?.titles;
    const changed = (movieId: string, name: string) =>
      recorded({ type: 'MovieDetailsChanged', data: { movieId: movieId as never, title: title(name) } });
    const archived = (movieId: string) => recorded({ type: 'MovieArchived', data: { movieId: movieId as never } });

    it('counts each word once per title, lower case and unstemmed, without stop words, exactly as recounted from the movies', async () => {
      const thief = uuid();
      await spec.given(
        added(thief, 'The Thief and the Thieves: Thief', '2026-01-01T10:00:00.000Z'),
        added(uuid(), 'Thief of Bagdad', '2026-01-01T10:00:00.000Z'),
      );
      expect(await countOf('thief')).to.equal(2);
      expect(await countOf('thieves')).to.equal(1);
      expect(await countOf('bagdad')).to.equal(1);
      expect(await countOf('the')).to.equal(undefined);
      expect(await countOf('of')).to.equal(undefined);
      // A replayed addition inserts no movie, so it counts nothing either.
      await spec.given(added(thief, 'The Thief and the Thieves: Thief', '2026-01-01T10:00:00.000Z'));
      expect(await countOf('thief')).to.equal(2);
      expect(await vocabulary()).to.deep.equal(await recounted());
    });

    it('moves the counts with a title change, gives them back on archiving, and keeps no word that no title holds', async () => {
      const first = uuid();
      const second = uuid();
      await spec.given(
        added(first, 'Zyxwords Harbour', '2026-01-01T10:00:00.000Z'),
        added(second, 'Zyxwords Harbour Lighthouse', '2026-01-01T10:00:00.000Z'),
      );
      expect(await countOf('zyxwords')).to.equal(2);
      await spec.given(changed(first, 'Qwvords Harbour Lights'));
      expect([await countOf('zyxwords'), await countOf('qwvords'), await countOf('lights'), await countOf('harbour')]).to.deep.equal([
        1, 1, 1, 2,
      ]);
      // A change that leaves the title as it was (or only touches other fields) moves nothing.
      await spec.given(
        changed(first, 'Qwvords Harbour Lights'),
        recorded({ type: 'MovieDetailsChanged', data: { movieId: first, year: null } }),
      );
      expect(await countOf('qwvords')).to.equal(1);
      await spec.given(archived(second));
      expect(await countOf('zyxwords')).to.equal(undefined);
      expect(await countOf('lighthouse')).to.equal(undefined);
      expect(await countOf('harbour')).to.equal(1);
      // Archived twice, or renamed once archived: it counts nowhere any more.
      await spec.given(archived(second), changed(second, 'Zyxwords Returns'));
      expect([await countOf('zyxwords'), await countOf('returns'), await countOf('harbour')]).to.deep.equal([undefined, undefined, 1]);
      // In one batch: added, renamed and archived, in that order.
      const third = uuid();
      await spec.given(added(third, 'Qwvords Again', '2026-01-01T10:00:00.000Z'), changed(third, 'Qwvords Once More'), archived(third));
      expect([await countOf('qwvords'), await countOf('again'), await countOf('more')]).to.deep.equal([1, undefined, undefined]);
      expect(await vocabulary()).to.deep.equal(await recounted());
    });

    it('is made from the movies by the first batch on a catalogue built before it existed (version 2)', async () => {
      const before = await vocabulary();
      expect(before).to.not.deep.equal([]);
      await spec.rows('DROP TABLE title_words');
      const id = uuid();
      await spec.given(added(id, 'Upgradefilm Harbour', '2026-01-01T10:00:00.000Z'));
      expect(await countOf('upgradefilm')).to.equal(1);
      expect(await countOf('harbour')).to.equal((before.find((row) => row.word === 'harbour')?.titles ?? 0) + 1);
      expect(await vocabulary()).to.deep.equal(await recounted());
      expect(await spec.rows("SELECT indexname FROM pg_indexes WHERE tablename = 'title_words' ORDER BY 1")).to.deep.equal([
        { indexname: 'title_words_pkey' },
        { indexname: 'title_words_trigrams' },
      ]);
    });
  });
});
