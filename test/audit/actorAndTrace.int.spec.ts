import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { actorEvents } from '../../src/audit/actor.ts';
import { traceEvents } from '../../src/audit/trace.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { appendActivity } from '../projections/support/activityLog.ts';
import { appendAccountHistory, appendViewing, event, type Account } from './support/auditLog.ts';

// `audit actor` and `audit trace` over a log with other users' and the system's events around them;
// a request whose events cause others (as a reactor's would, with correlation ids of their own) is
// traced through causation ids, however many steps deep.

describe('audit actor and trace', function () {
  this.timeout(30_000);
  let opened: TestEventStore;
  let ada: Account;
  let viewingStreams: string[];

  before(async () => {
    opened = await openPostgresEventStore();
    await appendActivity(opened.store, { movies: 10, users: 5, actions: 200 });
    ada = await appendAccountHistory(opened.store, 'ada');
    await appendAccountHistory(opened.store, 'bob');
    viewingStreams = [await appendViewing(opened.store, ada.userId), await appendViewing(opened.store, ada.userId)];
    await opened.pool.query('ANALYZE events');
  });
  after(() => opened.close());

  it('lists every event a user caused across their streams, in log order, page by page, within a range', async () => {
    const all = [];
    for (let after: bigint | undefined; ;) {
      const page = await actorEvents(opened.pool, ada.userId, { after, limit: 3 });
      if (page.outcome !== 'found') throw new Error('unknown');
      all.push(...page.events);
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(all).to.have.length(4 + 5 + 5);
    expect(new Set(all.map((event) => event.streamName))).to.deep.equal(new Set([ada.stream, ...viewingStreams]));
    expect(all.every((event) => event.metadata.actorId === ada.userId)).to.equal(true);
    const positions = all.map((event) => event.position);
    expect(positions).to.deep.equal([...positions].sort((a, b) => (a < b ? -1 : 1)));
    const [from, to] = [all[2]?.position ?? 0n, all[6]?.position ?? 0n];
    const range = await actorEvents(opened.pool, ada.userId, {
      from: { kind: 'position', position: from },
      to: { kind: 'position', position: to },
      limit: 100,
    });
    expect(range.outcome === 'found' && range.events.map((event) => event.position)).to.deep.equal(positions.slice(2, 7));
  });

  it('reads through the index on actor ids, not a scan of the log', async () => {
    const client = await opened.pool.connect();
    // On a log this small a scan is cheaper; forbidding it shows whether the index can serve the query.
    await client.query('SET enable_seqscan = off');
    const { rows } = await client
      .query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT position FROM events WHERE (metadata ->> 'actorId') = $1 AND (metadata ->> 'actorId') IS NOT NULL ORDER BY (metadata ->> 'actorId'), position LIMIT 10`,
        [ada.userId],
      )
      .finally(() => client.query('RESET enable_seqscan').finally(() => client.release()));
    expect(rows.map((row) => row['QUERY PLAN']).join('\n')).to.match(/Index Scan using events_by_actor/);
  });

  it('says a user the log does not know is unknown, and one with nothing in the range is not', async () => {
    expect(await actorEvents(opened.pool, randomUUID(), { limit: 10 })).to.deep.equal({ outcome: 'unknown' });
    const none = await actorEvents(opened.pool, ada.userId, { to: { kind: 'position', position: 0n }, limit: 10 });
    expect(none).to.deep.include({ outcome: 'found', events: [] });
  });

  it('traces a request and, through causation ids, what it caused and what that caused', async () => {
    const correlationId = randomUUID();
    const stream = streamName('movie', randomUUID());
    const request = [event('MovieArchived', { n: 1 }, { correlationId }), event('MovieArchived', { n: 2 }, { correlationId })];
    await opened.store.appendToStream(stream, request);
    const caused = event('MovieArchived', { n: 3 }, { causationId: request[1]?.eventId ?? null });
    await opened.store.appendToStream(streamName('job', randomUUID()), [caused]);
    const causedInTurn = event('MovieArchived', { n: 4 }, { causationId: caused.eventId });
    await opened.store.appendToStream(streamName('mail', randomUUID()), [causedInTurn]);
    await opened.store.appendToStream(streamName('mail', randomUUID()), [event('MovieArchived', { n: 5 }, { causationId: randomUUID() })]);
    const traced = await traceEvents(opened.pool, correlationId, { limit: 100 });
    if (traced.outcome !== 'found') throw new Error('unknown');
    expect(traced.events.map(({ event: found, via }) => [found.eventId, via])).to.deep.equal([
      [request[0]?.eventId, 'request'],
      [request[1]?.eventId, 'request'],
      [caused.eventId, 'caused'],
      [causedInTurn.eventId, 'caused'],
    ]);
    const paged = await traceEvents(opened.pool, correlationId, { limit: 3 });
    expect(paged.outcome === 'found' && paged.nextAfter).to.equal(traced.events[2]?.event.position);
    expect(await traceEvents(opened.pool, randomUUID(), { limit: 10 })).to.deep.equal({ outcome: 'unknown' });
  });
});
