import { expect } from 'chai';
import type pg from 'pg';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { batchText, literal, runStatements, withLiterals } from '../../src/projections/runtime/statements.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgresServer.ts';

// A batch travels as one simple query with its values written in as literals: whatever a value holds
// must come out of PostgreSQL exactly as it would have as a parameter.

const hostile = [
  "it's",
  "''",
  'back\\slash',
  "\\'",
  'quote " inside',
  '{braces},comma',
  'NULL',
  '',
  ' padded ',
  '$1',
  "E'x'",
  '-- not a comment',
  'ünïcødé ✓ 🎬',
  'line\nbreak\ttab',
];

describe('batch statements written with literals', function () {
  this.timeout(30_000);
  let database: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, 2, 'spec');
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  const viaLiterals = async (text: string, values: unknown[]): Promise<unknown> =>
    (await pool.query<{ value: unknown }>(withLiterals({ text, values }))).rows[0]?.value;
  const viaParameters = async (text: string, values: unknown[]): Promise<unknown> =>
    (await pool.query<{ value: unknown }>(text, values)).rows[0]?.value;

  it('reads back every hostile string as it was, alone and in arrays', async () => {
    for (const value of hostile) {
      expect(await viaLiterals('SELECT $1::text AS value', [value]), value).to.equal(value);
    }
    expect(await viaLiterals('SELECT $1::text[] AS value', [hostile])).to.deep.equal(hostile);
    expect(await viaLiterals('SELECT $1::text[] AS value', [['a', null, 'b']])).to.deep.equal(['a', null, 'b']);
    expect(await viaLiterals('SELECT $1::text[] AS value', [[]])).to.deep.equal([]);
  });

  it('gives numbers, booleans, bigints, dates, JSON and nulls the values parameters give', async () => {
    const cases: [string, unknown[]][] = [
      ['SELECT $1::integer AS value', [-42]],
      ['SELECT $1::numeric AS value', [3.5]],
      ['SELECT $1::bigint AS value', [9_007_199_254_740_993n]],
      ['SELECT $1::boolean AS value', [false]],
      ['SELECT $1::timestamptz AS value', [new Date('2018-05-01T12:34:56.789Z')]],
      ['SELECT $1::timestamptz[] AS value', [['2018-05-01T12:00:00Z', '2019-01-01T00:00:00.5Z']]],
      ['SELECT $1::uuid[] AS value', [['8a1c2d3e-0000-4000-8000-000000000001', '8a1c2d3e-0000-4000-8000-000000000002']]],
      ['SELECT $1::integer[] AS value', [[1, -2, 3]]],
      ['SELECT $1::boolean[] AS value', [[true, false]]],
      ['SELECT $1::jsonb AS value', [JSON.stringify([{ title: 'it\'s \\ "quoted"', n: 1 }])]],
      ['SELECT coalesce($1, $2) AS value', [null, 'fallback']],
      ['SELECT greatest(1, $1) AS value', ['7']],
    ];
    for (const [text, values] of cases) {
      expect(await viaLiterals(text, values), text).to.deep.equal(await viaParameters(text, values));
    }
  });

  it('leaves placeholders inside quoted text and comments alone', () => {
    expect(withLiterals({ text: "SELECT '$1', $1 -- $2 isn't one\n, $2", values: ['a', 'b'] })).to.equal(
      "SELECT '$1', 'a' -- $2 isn't one\n, 'b'",
    );
  });

  it('refuses what it cannot write faithfully', () => {
    expect(() => withLiterals({ text: 'SELECT $2', values: ['only one'] })).to.throw(/no value for \$2/);
    expect(() => literal(Number.NaN)).to.throw(/no SQL literal/);
    expect(() => literal([{ an: 'object' }])).to.throw(/pass others as JSON/);
  });

  it('runs a batch as one transaction: a failing statement leaves nothing of the others', async () => {
    await pool.query('CREATE SCHEMA batch_spec; CREATE TABLE batch_spec.items (id integer PRIMARY KEY, label text)');
    const insert = (id: number, label: string) => ({ text: 'INSERT INTO items (id, label) VALUES ($1, $2)', values: [id, label] });
    await runStatements(pool, 'batch_spec', [insert(1, "one's"), insert(2, 'two\\')]);
    const failing = runStatements(pool, 'batch_spec', [insert(3, 'three'), insert(1, 'again')]);
    await failing.then(
      () => expect.fail('a duplicate key must fail the batch'),
      (error: unknown) => expect(String(error)).to.match(/duplicate key/),
    );
    const { rows } = await pool.query<{ id: number; label: string }>('SELECT id, label FROM batch_spec.items ORDER BY id');
    expect(rows).to.deep.equal([
      { id: 1, label: "one's" },
      { id: 2, label: 'two\\' },
    ]);
    // The settings were local to the batch's transaction.
    const after = await pool.query<{ path: string }>("SELECT current_setting('search_path') AS path");
    expect(after.rows[0]?.path).to.not.contain('batch_spec');
  });

  it('puts the schema first on the search path and the last statement after the batch', () => {
    const text = batchText('rm_x', [{ text: 'SELECT $1', values: [1] }], 'SELECT advance()');
    expect(text.split(';\n')).to.deep.equal([
      'SET LOCAL synchronous_commit = off',
      'SET LOCAL search_path = "rm_x", public',
      'SELECT 1',
      'SELECT advance()',
    ]);
  });
});
