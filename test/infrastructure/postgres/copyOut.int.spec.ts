import { createHash } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { copyOut } from '../../../src/infrastructure/postgres/copyOut.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

// copyOut reads `COPY … TO STDOUT` straight off pg's socket. Rows of every length from 0 to a few
// times a socket read, so that headers and rows are split across reads at every kind of place; an
// error in the middle of a copy; and the connection in use afterwards, as pg left it.

const unquoted = `WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;

const readAll = async (client: pg.ClientBase, text: string, pause?: () => Promise<void>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyOut(text)) as AsyncIterable<Buffer>) {
    chunks.push(Buffer.from(chunk));
    await pause?.();
  }
  return Buffer.concat(chunks);
};

describe('copyOut', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let client: pg.Client;

  before(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url.href });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await database.drop();
  });

  it('gives the rows byte for byte, however they fall across reads of the socket', async () => {
    // Lengths 1…69,999 (an empty row is written quoted, as CSV tells it from NULL) by a stride that lands on many remainders of 65,536, and letters of 1 to 4 bytes.
    const rows = `SELECT repeat(substr('aé€😀', 1 + n % 4, 1), (n * 7919) % 70000) FROM generate_series(1, 300) n ORDER BY n`;
    const { rows: expected } = await client.query<{ line: string }>(`SELECT string_agg(r || E'\\n', '') AS line FROM (${rows}) t(r)`);
    const read = await readAll(client, `COPY (${rows}) TO STDOUT ${unquoted}`);
    expect(read.length).to.equal(Buffer.byteLength(expected[0]?.line ?? ''));
    expect(createHash('sha256').update(read).digest('hex')).to.equal(
      createHash('sha256')
        .update(expected[0]?.line ?? '')
        .digest('hex'),
    );
  });

  it('keeps every row when its reader is slow (back-pressure holds the socket, loses nothing)', async () => {
    const read = await readAll(
      client,
      `COPY (SELECT n || repeat('x', 1000) FROM generate_series(1, 20000) n) TO STDOUT ${unquoted}`,
      () => new Promise((resolve) => setImmediate(resolve)),
    );
    const lines = read.toString('utf8').split('\n');
    expect(lines.pop()).to.equal('');
    expect(lines).to.have.length(20_000);
    expect(lines.map((line) => Number.parseInt(line, 10))).to.deep.equal(Array.from({ length: 20_000 }, (_, n) => n + 1));
  });

  it("fails with PostgreSQL's error when the statement fails midway, and leaves the client usable", async () => {
    const failing = readAll(
      client,
      `COPY (SELECT 1 / (n - 30000) || repeat('y', 100) FROM generate_series(1, 40000) n) TO STDOUT ${unquoted}`,
    );
    const error = await failing.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(Error).with.property('message', 'division by zero');
    const { rows } = await client.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).to.deep.equal([{ ok: 1 }]);
  });

  it('answers an empty copy with no rows, and the next statement as usual', async () => {
    expect((await readAll(client, `COPY (SELECT 1 WHERE false) TO STDOUT ${unquoted}`)).length).to.equal(0);
    expect((await client.query<{ n: string }>('SELECT 2::text AS n')).rows).to.deep.equal([{ n: '2' }]);
  });
});
