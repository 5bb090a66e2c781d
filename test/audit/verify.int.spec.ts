import { expect } from 'chai';
import pg from 'pg';
import type { ChainBreak } from '../../src/audit/chainCheck.ts';
import { verifyLog } from '../../src/audit/verify.ts';
import { verifyInDatabase } from '../../src/audit/verifyInDatabase.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { appendActivity } from '../projections/support/activityLog.ts';
import { appendAccountHistory, appendViewing, event } from './support/auditLog.ts';

// `audit verify` against a log tampered with as an operator with superuser rights could: the
// append-only trigger switched off for the session, then one stored byte flipped, or events deleted
// or added. Each is reported at exactly the stream, revision and position touched, and the log is
// put back afterwards, so that every case starts from a log that verifies.

describe('audit verify', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let tamperer: pg.Client;
  let viewing: string;

  const verify = async (stream?: string) => {
    const report = await verifyLog(opened.pool, stream === undefined ? {} : { stream });
    if (report.outcome !== 'verified') throw new Error('the stream is unknown');
    return report;
  };
  const only = async (stream?: string): Promise<ChainBreak> => {
    const { breaks } = await verify(stream);
    expect(
      breaks,
      JSON.stringify(breaks, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
    ).to.have.length(1);
    return breaks[0] as ChainBreak;
  };
  const eventAt = async (stream: string, revision: number) =>
    (await tamperer.query<{ position: string }>('SELECT position FROM events WHERE stream_id = $1 AND revision = $2', [stream, revision]))
      .rows[0]?.position;
  /** Runs the tampering, checks, then undoes it by running `undo`. */
  const tampered = async (tamper: string, undo: string, values: unknown[], check: () => Promise<unknown>): Promise<void> => {
    await tamperer.query(tamper, values);
    try {
      await check();
    } finally {
      await tamperer.query(undo, values);
    }
    expect((await verify()).breaks).to.deep.equal([]);
  };

  before(async () => {
    opened = await openPostgresEventStore();
    await appendActivity(opened.store, { movies: 20, users: 10, actions: 300 });
    const account = await appendAccountHistory(opened.store, 'ada');
    viewing = await appendViewing(opened.store, account.userId);
    await appendViewing(opened.store, account.userId);
    tamperer = new pg.Client({ connectionString: opened.database.url.href });
    await tamperer.connect();
    // A superuser's way around row triggers for this session: the append-only trigger does not fire.
    await tamperer.query("SET session_replication_role = 'replica'");
  });
  after(async () => {
    await tamperer.end();
    await opened.close();
  });

  /** The database's own pass (verifyInDatabase.ts), which decides whether the log is read in Node at all. */
  const verdict = async (stream?: string) => {
    const client = await opened.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      return await verifyInDatabase(client, stream);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  };

  it('finds every chain intact and every head matching in a log written by the store', async () => {
    const report = await verify();
    expect(report.breaks).to.deep.equal([]);
    expect(report.events).to.equal(Number((await tamperer.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n));
  });

  it('hashes in the database exactly as the store did, whatever the JSON holds, so a clean log is never read in Node', async () => {
    const awkward = streamName('movie', 'a.b_c:d@e+f=g-h');
    await opened.store.appendToStream(awkward, [
      event('MovieAdded', {
        title: 'Amélie 東京物語 😀',
        overview: 'quote " backslash \\ tab \t nul \u0000 line\u2028',
        n: 1e21,
        f: 0.1,
        deep: { z: [1, { a: null }] },
      }),
      event('MovieDetailsChanged', { title: '\ud83c\udfac', empty: {}, list: [] }),
    ]);
    const whole = await verdict();
    expect(whole.suspectStreams).to.equal(0);
    expect(whole.events).to.equal(Number((await tamperer.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n));
    expect(whole.streams).to.equal(Number((await tamperer.query<{ n: string }>('SELECT count(*) AS n FROM event_streams')).rows[0]?.n));
    expect(await verdict(awkward)).to.deep.equal({ events: 2, streams: 1, lastPosition: whole.lastPosition, suspectStreams: 0 });
    await tampered(
      'UPDATE events SET metadata = replace(metadata::text, \'"actorId":null\', \'"actorId": null\')::json WHERE stream_id = $1 AND revision = 1',
      'UPDATE events SET metadata = replace(metadata::text, \'"actorId": null\', \'"actorId":null\')::json WHERE stream_id = $1 AND revision = 1',
      [awkward],
      async () => {
        expect((await verdict()).suspectStreams).to.equal(1);
        expect((await only(awkward)).kind).to.equal('content');
      },
    );
  });

  it('names the event whose data had one byte flipped, as a change of its content', async () => {
    const position = await eventAt(viewing, 2);
    await tampered(
      `UPDATE events SET data = replace(data::text, '"score":3.5', '"score":3.4')::json WHERE stream_id = $1 AND revision = 2`,
      `UPDATE events SET data = replace(data::text, '"score":3.4', '"score":3.5')::json WHERE stream_id = $1 AND revision = 2`,
      [viewing],
      async () => {
        expect(await only()).to.deep.include({ kind: 'content', streamId: viewing, revision: 2n, position: BigInt(position ?? -1) });
        expect(await only(viewing)).to.deep.include({ kind: 'content', revision: 2n });
      },
    );
  });

  it('names the event whose metadata had one byte flipped', async () => {
    const position = await eventAt(viewing, 1);
    await tampered(
      `UPDATE events SET metadata = replace(metadata::text, '"occurredAt":"2026-12-01', '"occurredAt":"2026-12-02')::json WHERE stream_id = $1 AND revision = 1`,
      `UPDATE events SET metadata = replace(metadata::text, '"occurredAt":"2026-12-02', '"occurredAt":"2026-12-01')::json WHERE stream_id = $1 AND revision = 1`,
      [viewing],
      async () =>
        expect(await only()).to.deep.include({ kind: 'content', streamId: viewing, revision: 1n, position: BigInt(position ?? -1) }),
    );
  });

  it('tells a changed hash from changed content, in the middle of a stream and at its head', async () => {
    const flip = `UPDATE events SET hash = set_byte(hash, 7, get_byte(hash, 7) # 1) WHERE stream_id = $1 AND revision = $2`;
    for (const revision of [1, 4]) {
      const position = await eventAt(viewing, revision);
      await tampered(flip, flip, [viewing, revision], async () =>
        expect(await only()).to.deep.include({
          kind: 'hash',
          streamId: viewing,
          revision: BigInt(revision),
          position: BigInt(position ?? -1),
        }),
      );
    }
    const data = (revision: number, from: string, to: string) =>
      `UPDATE events SET data = replace(data::text, '${from}', '${to}')::json WHERE stream_id = $1 AND revision = ${revision}`;
    await tampered(data(4, '"userId"', '"userID"'), data(4, '"userID"', '"userId"'), [viewing], async () =>
      expect(await only()).to.deep.include({ kind: 'content', streamId: viewing, revision: 4n }),
    );
  });

  it('reports a deleted tail event at the revision that is missing, after the last event left', async () => {
    const before = await eventAt(viewing, 3);
    const { rows } = await tamperer.query('DELETE FROM events WHERE stream_id = $1 AND revision = 4 RETURNING *', [viewing]);
    try {
      expect(await only()).to.deep.include({ kind: 'missing', streamId: viewing, revision: 4n, position: BigInt(before ?? -1) });
    } finally {
      await reinsert(tamperer, rows);
    }
    expect((await verify()).breaks).to.deep.equal([]);
  });

  it('reports an event deleted from the middle of a stream at its revision', async () => {
    const { rows } = await tamperer.query('DELETE FROM events WHERE stream_id = $1 AND revision = 2 RETURNING *', [viewing]);
    try {
      expect(await only()).to.deep.include({ kind: 'missing', streamId: viewing, revision: 2n });
    } finally {
      await reinsert(tamperer, rows);
    }
  });

  it('reports a stream deleted whole, by the head its stream row still records', async () => {
    const { rows } = await tamperer.query('DELETE FROM events WHERE stream_id = $1 RETURNING *', [viewing]);
    try {
      expect(await only()).to.deep.include({ kind: 'missing', streamId: viewing, revision: 0n, position: null });
    } finally {
      await reinsert(tamperer, rows);
    }
  });

  it('reports an event added beyond the recorded head, and a head changed to match nothing', async () => {
    const { rows } = await tamperer.query<Record<string, unknown> & { position: string }>(
      'SELECT * FROM events WHERE stream_id = $1 AND revision = 4',
      [viewing],
    );
    const last = rows[0];
    if (last === undefined) throw new Error('no revision 4');
    const extra = { ...last, position: BigInt(last.position) + 1n, revision: 5, event_id: '00000000-0000-4000-8000-000000000000' };
    await reinsert(tamperer, [extra]);
    try {
      expect(await only()).to.deep.include({ kind: 'extra', streamId: viewing, revision: 5n, position: extra.position });
    } finally {
      await tamperer.query('DELETE FROM events WHERE stream_id = $1 AND revision = 5', [viewing]);
    }
    const flip = 'UPDATE event_streams SET last_hash = set_byte(last_hash, 0, get_byte(last_hash, 0) # 1) WHERE stream_id = $1';
    await tampered(flip, flip, [viewing], async () =>
      expect(await only()).to.deep.include({ kind: 'head', streamId: viewing, revision: 4n }),
    );
  });
});

/** Puts deleted rows back as they were. */
const reinsert = async (client: pg.Client, rows: readonly Record<string, unknown>[]): Promise<void> => {
  for (const row of rows) {
    await client.query(
      `INSERT INTO events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8::json, $9, $10)`,
      [
        row.position,
        row.stream_id,
        row.revision,
        row.event_id,
        row.type,
        row.schema_version,
        row.data,
        row.metadata,
        row.hash,
        row.recorded_at,
      ],
    );
  }
};
