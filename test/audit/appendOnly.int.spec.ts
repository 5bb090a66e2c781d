import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { event } from './support/auditLog.ts';

// The log is append-only in the database itself: whoever connects (short of disabling the triggers)
// cannot update, delete or truncate events or move a stream's head back, while appends go on.

describe('the append-only event log', function () {
  this.timeout(30_000);
  let opened: TestEventStore;
  let client: pg.Client;
  const stream = streamName('movie', randomUUID());

  before(async () => {
    opened = await openPostgresEventStore();
    await opened.store.appendToStream(stream, [event('MovieArchived', { movieId: 'a' }), event('MovieArchived', { movieId: 'b' })]);
    client = new pg.Client({ connectionString: opened.database.url.href });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await opened.close();
  });

  const refused = async (statement: string): Promise<string> => {
    try {
      await client.query(statement, statement.includes('$1') ? [stream] : []);
    } catch (error) {
      if (error instanceof Error && 'code' in error) {
        expect(error.code).to.equal('FF403');
        return error.message;
      }
      throw error;
    }
    throw new Error(`not refused: ${statement}`);
  };

  it('refuses to update or delete an event, or to truncate the log', async () => {
    expect(await refused(`UPDATE events SET data = '{"movieId":"c"}' WHERE stream_id = $1 AND revision = 0`)).to.match(
      /UPDATE on events refused: the event log is append-only/,
    );
    expect(await refused('DELETE FROM events WHERE stream_id = $1 AND revision = 1')).to.match(/DELETE on events refused/);
    expect(await refused('TRUNCATE events CASCADE')).to.match(/TRUNCATE on events refused/);
    const { rows } = await client.query<{ data: unknown }>('SELECT data FROM events WHERE stream_id = $1 ORDER BY revision', [stream]);
    expect(rows.map((row) => row.data)).to.deep.equal([{ movieId: 'a' }, { movieId: 'b' }]);
  });

  it("refuses to delete a stream's head, move it back or rename it", async () => {
    expect(await refused('DELETE FROM event_streams WHERE stream_id = $1')).to.match(/DELETE on event_streams refused/);
    expect(await refused('UPDATE event_streams SET revision = 0 WHERE stream_id = $1')).to.match(/UPDATE on event_streams refused/);
    expect(await refused("UPDATE event_streams SET stream_id = 'movie-other', revision = revision + 1 WHERE stream_id = $1")).to.match(
      /UPDATE on event_streams refused/,
    );
    expect(await refused('TRUNCATE event_streams CASCADE')).to.match(/TRUNCATE on event_streams refused/);
  });

  it('lets appends go on, to new streams and existing ones', async () => {
    const result = await opened.store.appendToStream(stream, [event('MovieArchived', { movieId: 'c' })], { expectedRevision: 1n });
    expect(result.nextExpectedRevision).to.equal(2n);
    const fresh = await opened.store.appendToStream(streamName('movie', randomUUID()), [event('MovieArchived', { movieId: 'd' })]);
    expect(fresh.nextExpectedRevision).to.equal(0n);
  });
});
