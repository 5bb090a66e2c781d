import { expect } from 'chai';
import type pg from 'pg';
import { createPool, createTypeParserPreset, type DatabasePool, type Interceptor } from 'slonik';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createPool as createPgPool } from '../../src/infrastructure/postgres/pool.ts';
import { catalogue } from '../../src/projections/catalogue/projection.ts';
import { ratings } from '../../src/projections/ratings/projection.ts';
import { liveSchema } from '../../src/projections/runtime/projection.ts';
import { ensureProjectionSchema } from '../../src/projections/runtime/schema.ts';
import { runStatements } from '../../src/projections/runtime/statements.ts';
import { correctQuery } from '../../src/queries/searchMovies/correction.ts';
import { searchPage, type Matching } from '../../src/queries/searchMovies/query.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgresServer.ts';
import { recorded } from '../support/projectionSpec.ts';
import { seededRandom } from '../support/seededRandom.ts';
import { overview, slug, title, uuid, year } from '../support/values.ts';

// The typo-tolerant fallback of GET /movies against a catalogue of 20,000 movies built by the
// catalogue projection: what a misspelt query is corrected into, and that correcting it reads the
// vocabulary of title words through its trigram index, never the titles.

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly 'Rows Removed by Filter'?: number;
  readonly Plans?: readonly PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('GET /movies: correcting typos against the vocabulary of titles', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: DatabasePool;
  /** The statements slonik sent, as sent. */
  let sent: { sql: string; values: readonly unknown[] }[] = [];
  const capture: Interceptor = {
    name: 'capture',
    beforeQueryExecution: (_context, query) => {
      sent.push({ sql: query.sql, values: query.values });
      return null;
    },
  };

  const movie = (name: string): DomainEvent => ({
    type: 'MovieAdded',
    data: {
      movieId: uuid(),
      slug: slug(`m-${uuid()}`),
      title: title(name),
      year: year(2000),
      genres: ['drama'],
      overview: overview('A story.'),
      runtime: null,
      externalIds: {},
    },
  });

  before(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url, 4, 'spec');
    for (const projection of [catalogue, ratings]) {
      await ensureProjectionSchema(pool, projection, { stateName: projection.name, schema: liveSchema(projection) });
    }
    // 20,000 titles of one to three words from 15,000 made-up ones: a vocabulary large enough for
    // the planner to read it as it would a real one, by its index.
    const next = seededRandom(16);
    const syllables = 'ka ra mi to lu ne sa vo di ta el an or is ul ev ar on ia mar tin jo han ber li ko zan fe lo'.split(' ');
    const made = new Set<string>();
    while (made.size < 15_000) {
      made.add(Array.from({ length: 2 + Math.floor(next() * 3) }, () => syllables[Math.floor(next() * syllables.length)]).join(''));
    }
    const words = [...made];
    const titles = Array.from({ length: 20_000 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 3) }, () => words[Math.floor(next() * words.length)] ?? 'x').join(' '),
    );
    titles.push('The Thief', 'Thief of Bagdad', 'The Matrix', 'The Matrix Reloaded', 'Up');
    titles.push('Portos', 'Porta One', 'Porta Two', 'Porta Three', 'Portx One', 'Portx Two', 'Portu');
    for (let start = 0; start < titles.length; start += 2_000) {
      await runStatements(
        pool,
        liveSchema(catalogue),
        catalogue.statements(titles.slice(start, start + 2_000).map((name) => recorded(movie(name)))),
      );
    }
    await pool.query('VACUUM (ANALYZE) rm_catalogue.movies, rm_catalogue.title_words');
    db = await createPool(database.url.href, { maximumPoolSize: 2, interceptors: [capture], typeParsers: createTypeParserPreset() });
  });
  after(async () => {
    await db.end();
    await pool.end();
    await database.drop();
  });

  const correct = (text: string): Promise<Matching | undefined> => correctQuery(db, text);
  const searchTitles = async (text: string): Promise<string[]> => {
    const matching = await correctQuery(db, text);
    const filters = { genre: undefined, yearFrom: undefined, yearTo: undefined, minRating: undefined };
    const rows = matching === undefined ? [] : await searchPage(db, { matching, filters, order: 'relevance', after: undefined }, 20);
    return rows.map((row) => row.title);
  };

  it('corrects "theif" into "thief", and finds the Thief titles', async () => {
    const matching = await correct('theif');
    expect(matching?.kind).to.equal('corrected');
    expect(matching?.kind === 'corrected' ? matching.words[0] : []).to.include('thief');
    expect(await searchTitles('theif')).to.have.members(['The Thief', 'Thief of Bagdad']);
  });

  it('corrects "matirx", stop words left out, into "matrix"', async () => {
    expect(await correct('The Matirx')).to.deep.include({ kind: 'corrected' });
    expect(await searchTitles('the matirx')).to.have.members(['The Matrix', 'The Matrix Reloaded']);
  });

  it('offers a few spellings per word, by similarity, then by how many titles hold them', async () => {
    // One edit from "porto" each: "portos" shares 5 of its trigrams (0.63); "porta", "portx", "portu" 4 (0.5), held by 3, 2 and 1 titles.
    expect(await correct('porto')).to.deep.equal({ kind: 'corrected', words: [['portos', 'porta', 'portx']] });
  });

  it('keeps the words titles hold as typed, and corrects nothing when nothing is misspelt', async () => {
    expect(await correct('thief matirx')).to.deep.equal({ kind: 'corrected', words: [['thief'], ['matrix']] });
    expect(await correct('thief matrix')).to.equal(undefined);
    expect(await correct('qqqqxxxxzzzz')).to.equal(undefined);
  });

  it('matches a query of stop words only by the exact title', async () => {
    expect(await correct('Up')).to.deep.equal({ kind: 'title', title: 'up' });
    expect(await searchTitles('Up')).to.deep.equal(['Up']);
  });

  /** Runs the fallback for `text`, then the plan of each statement it sent, as it ran (EXPLAIN ANALYZE). */
  const plansOf = async (text: string): Promise<{ correction: PlanNode[]; searches: PlanNode[][] }> => {
    sent = [];
    await searchTitles(text);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const explain = async (statement: { sql: string; values: readonly unknown[] }): Promise<PlanNode[]> => {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, [
          ...statement.values,
        ]);
        return nodesOf(rows[0]?.['QUERY PLAN'][0].Plan ?? { 'Node Type': 'none' }).filter((node) => (node['Actual Loops'] ?? 0) > 0);
      };
      const correction = sent.find((statement) => statement.sql.includes("to_tsvector('simple'"));
      if (correction === undefined) throw new Error('no correction was sent');
      const searches = await Promise.all(sent.filter((statement) => statement.sql.includes('WITH page')).map(explain));
      return { correction: await explain(correction), searches };
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  };
  const count = async (table: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM rm_catalogue.${table}`)).rows[0]?.n);
  /** The vocabulary words a plan read: the rows its scans of title_words returned or threw away. */
  const wordsRead = (nodes: readonly PlanNode[]): number =>
    nodes
      .filter((node) => node['Relation Name'] === 'title_words')
      .reduce(
        (sum, node) =>
          sum +
          ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) *
            (node['Actual Loops'] ?? 1),
        0,
      );

  it('corrects a word from the vocabulary alone, by its indexes: one edit away by key, else by trigrams', async () => {
    const vocabulary = await count('title_words');
    expect(vocabulary).to.be.greaterThan(10_000);
    for (const [text, index] of [
      ['theif', 'title_words_pkey'],
      // Three edits from "matrix": no spelling one edit away is a title word, so the trigram index answers.
      ['matricks', 'title_words_trigrams'],
    ] as const) {
      const { correction } = await plansOf(text);
      expect(correction.filter((node) => node['Relation Name'] !== undefined).map((node) => node['Relation Name'])).to.satisfy(
        (relations: string[]) => relations.length > 0 && relations.every((relation) => relation === 'title_words'),
        `${text}: the vocabulary only`,
      );
      expect(
        correction.filter((node) => node['Node Type'] === 'Seq Scan'),
        text,
      ).to.deep.equal([]);
      expect(
        correction.map((node) => node['Index Name']),
        text,
      ).to.include(index);
      expect(wordsRead(correction), text)
        .to.be.greaterThan(0)
        .and.lessThan(vocabulary / 20);
    }
  });

  it('searches the corrected words through the full-text indexes, never reading the titles whole', async () => {
    const titles = await count('movies');
    for (const text of ['theif', 'the matirx', 'matricks']) {
      const { searches } = await plansOf(text);
      expect(searches, text).to.not.deep.equal([]);
      for (const nodes of searches) {
        expect(
          nodes.filter((node) => node['Relation Name'] === 'movies' && node['Node Type'] === 'Seq Scan'),
          text,
        ).to.deep.equal([]);
        const read = nodes
          .filter((node) => node['Relation Name'] === 'movies')
          .reduce(
            (sum, node) => sum + ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1),
            0,
          );
        expect(read, text).to.be.lessThan(titles / 100);
      }
    }
  });

  it('corrects nothing, and fails nothing, on a catalogue that has no vocabulary yet (built by version 2)', async () => {
    await pool.query('ALTER TABLE rm_catalogue.title_words RENAME TO title_words_later');
    try {
      expect(await correct('theif')).to.equal(undefined);
    } finally {
      await pool.query('ALTER TABLE rm_catalogue.title_words_later RENAME TO title_words');
    }
    expect(await correct('theif')).to.deep.equal({ kind: 'corrected', words: [['thief']] });
  });
});
