import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { connectionTimeoutMs, createPool } from '../../../src/infrastructure/postgres/pool.ts';
import { isDatabaseUnreachable } from '../../../src/infrastructure/postgres/unreachable.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

// A server that takes the connection and never answers (a hung host, a stalled proxy) must not hold a
// request for ever: the pool gives up on a connection after connectionTimeoutMs, with an error the
// HTTP edge answers 503. Without the timeout node-postgres waits for good, and these specs time out.
// (slonik's pool is not checked here: it reads the server's types on its first connection with a
// client of its own that has no error listener, so a silent server at that moment throws out of the
// process; the service makes it only after checking that the database answers.)

const failure = async (work: Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
  const started = Date.now();
  try {
    await work;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('the query was answered');
};

describe('a database that does not answer', function () {
  this.timeout(connectionTimeoutMs * 3);
  let silent: Server;
  const sockets: Socket[] = [];
  let silentUrl: URL;

  before(async () => {
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    silentUrl = new URL(`postgres://fastflix@127.0.0.1:${address.port}/fastflix`);
  });
  after(async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails a query of the node-postgres pool within the connection timeout', async () => {
    const pool = createPool(silentUrl, 2, 'test');
    try {
      const { error, ms } = await failure(pool.query('SELECT 1'));
      expect(isDatabaseUnreachable(error), String(error)).to.equal(true);
      expect(ms).to.be.within(connectionTimeoutMs - 500, connectionTimeoutMs * 2);
    } finally {
      await pool.end();
    }
  });

  describe('when every connection of the pool is taken', () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase();
    });
    after(async () => {
      await database.drop();
    });

    it('fails a query waiting for one after the connection timeout', async () => {
      const pool = createPool(database.url, 1, 'test');
      const held = await pool.connect();
      try {
        const { error } = await failure(pool.query('SELECT 1'));
        expect(isDatabaseUnreachable(error), String(error)).to.equal(true);
      } finally {
        held.release();
        await pool.end();
      }
    });
  });
});
