import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import type { EventFilter, EventToAppend, StoredEvent, Subscription } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { firstBrokenLink } from '../../../src/infrastructure/eventStore/envelope.ts';
import { WrongExpectedRevisionError } from '../../../src/infrastructure/eventStore/errors.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { createEventNotifications } from '../../../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../../../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { createPool } from '../../../src/infrastructure/postgres/pool.ts';
import { testLog } from '../../support/postgresServer.ts';
import { waitFor } from '../../support/waitFor.ts';
import { openPostgresEventStore, type TestEventStore } from './postgresTestStore.ts';

// What only the PostgreSQL adapter has to prove: its positions under transactions that commit out of
// order, what a lost connection leaves behind, NOTIFY between processes, and grouped appends.

describe('PostgreSQL event store', function () {
  this.timeout(60_000);
  let opened: TestEventStore;

  before(async () => {
    opened = await openPostgresEventStore();
  });
  after(async () => {
    await opened.close();
  });

  const event = (data: Record<string, string | number> = {}): EventToAppend => ({
    eventId: randomUUID(),
    type: 'Happened',
    schemaVersion: 1,
    data,
    metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: randomUUID(), causationId: null },
  });

  /** append_events called as the store calls it, for one event at any revision, on `client`. */
  const appendIn = (client: pg.Client, stream: string, appended: EventToAppend) =>
    client.query(`SELECT * FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      [stream],
      [-2],
      [1],
      [appended.eventId],
      [appended.type],
      [1],
      JSON.stringify([appended.data]),
      JSON.stringify([appended.metadata]),
      [Buffer.alloc(32)],
    ]);

  /** A transaction that has appended one event and stays open until `commit` or `rollback`. */
  const openAppend = async (stream: string, appended: EventToAppend) => {
    const client = new pg.Client({ connectionString: opened.database.url.href });
    await client.connect();
    await client.query('BEGIN');
    await appendIn(client, stream, appended);
    return {
      commit: async () => {
        await client.query('COMMIT');
        await client.end();
      },
      rollback: async () => {
        await client.query('ROLLBACK');
        await client.end();
      },
    };
  };

  const receive = (subscription: Subscription) => {
    const received: StoredEvent[] = [];
    const done = (async () => {
      for await (const batch of subscription) received.push(...batch.events);
    })();
    return { received, stop: async () => (await subscription.close(), await done) };
  };

  describe('when a transaction commits after a later one', () => {
    it('holds the later event back until the earlier commits, then delivers both in position order', async () => {
      const category = `late${randomUUID().slice(0, 8)}`;
      const subscription = receive(
        opened.store.subscribeToAll({
          fromPosition: (await opened.store.headPosition()) ?? 'start',
          filter: { streamPrefixes: [`${category}-`] },
        }),
      );

      const early = event({ n: 1 });
      const slow = await openAppend(streamName(category, 'slow'), early);
      await opened.store.appendToStream(streamName(category, 'fast'), [event({ n: 2 })]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscription.received, 'nothing may pass the open transaction').to.deep.equal([]);

      await slow.commit();
      await waitFor(() => subscription.received.length === 2);
      await subscription.stop();
      expect(subscription.received.map((e) => e.data.n)).to.deep.equal([1, 2]);
      expect(subscription.received[0]!.position < subscription.received[1]!.position).to.equal(true);
    });

    it('delivers the later event once the earlier rolls back, and nothing of the rolled-back one', async () => {
      const category = `late${randomUUID().slice(0, 8)}`;
      const subscription = receive(
        opened.store.subscribeToAll({
          fromPosition: (await opened.store.headPosition()) ?? 'start',
          filter: { streamPrefixes: [`${category}-`] },
        }),
      );
      const slow = await openAppend(streamName(category, 'slow'), event({ n: 1 }));
      await opened.store.appendToStream(streamName(category, 'fast'), [event({ n: 2 })]);
      await slow.rollback();
      await waitFor(() => subscription.received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await subscription.stop();
      expect(subscription.received.map((e) => e.data.n)).to.deep.equal([2]);
    });
  });

  describe('when the connection is lost during an append', () => {
    it('rejects the append and leaves nothing of it behind', async () => {
      const stream = streamName(`lost${randomUUID().slice(0, 8)}`, '1');
      await opened.store.appendToStream(stream, [event({ n: 0 })]);
      // Hold the stream's row lock so that the next append waits inside its transaction.
      const blocker = new pg.Client({ connectionString: opened.database.url.href });
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM event_streams WHERE stream_id = $1 FOR UPDATE', [stream]);

      const appending = opened.store.appendToStream(stream, [event({ n: 1 }), event({ n: 2 })], { expectedRevision: 0n });
      const outcome = appending.then(
        () => 'appended',
        (error: unknown) => error,
      );
      let result: unknown;
      try {
        let backend: number | undefined;
        for (let tries = 0; tries < 250 && backend === undefined; tries++) {
          // Inside a transaction pg_stat_activity is a snapshot taken at its first read: clear it, or
          // an append that starts waiting after the first look is never seen.
          await blocker.query('SELECT pg_stat_clear_snapshot()');
          const waiting = await blocker.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%append_events%'",
          );
          backend = waiting.rows[0]?.pid;
          if (backend === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(backend, 'the append should be waiting for the lock').to.be.a('number');
        await blocker.query('SELECT pg_terminate_backend($1)', [backend]);
        result = await outcome;
      } finally {
        // Never leave the blocking transaction open: it would hold back every reader of the log on the server.
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
      }

      expect(result).to.be.instanceOf(Error);
      expect((await opened.store.readStream(stream)).map((e) => e.data.n)).to.deep.equal([0]);
      // The store keeps working on its other connections.
      await opened.store.appendToStream(stream, [event({ n: 1 })], { expectedRevision: 0n });
    });
  });

  describe('between processes', () => {
    it('wakes a subscriber of another process through NOTIFY', async () => {
      const peer = await opened.openPeer();
      const category = `peer${randomUUID().slice(0, 8)}`;
      const subscription = receive(
        peer.store.subscribeToAll({
          fromPosition: (await peer.store.headPosition()) ?? 'start',
          filter: { streamPrefixes: [`${category}-`] },
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await opened.store.appendToStream(streamName(category, '1'), [event({ n: 1 })]);
      await waitFor(() => subscription.received.length === 1);
      const elapsed = Date.now() - started;
      await subscription.stop();
      // The safety-net poll is 5 s; a notification is what makes this quick.
      expect(elapsed).to.be.below(1_000);
    });
  });

  describe('live subscribers of one process', () => {
    it('share one read per wake-up, and each still gets exactly its own events, in order', async () => {
      const run = randomUUID().slice(0, 8);
      const categories = [`sharea${run}`, `shareb${run}`];
      const types = ['Alpha', 'Beta', 'Gamma'];
      const filters: EventFilter[] = [
        { eventTypes: ['Alpha'] },
        { eventTypes: ['Beta', 'Gamma'] },
        { eventTypes: ['Gamma'] },
        { streamPrefixes: [`${categories[0]}-`] },
        { streamPrefixes: [`${categories[1]}-`] },
        { eventTypes: ['Alpha', 'Beta', 'Gamma'] },
      ];
      const from = (await opened.store.headPosition()) ?? 'start';
      let reads = 0;
      let yielded = 0;
      const query = opened.pool.query.bind(opened.pool);
      opened.pool.query = ((config: unknown, ...rest: unknown[]) => {
        if (typeof config === 'object' && config !== null && (config as { name?: string }).name === 'fastflix_read_batch') reads++;
        return (query as (...args: unknown[]) => unknown)(config, ...rest);
      }) as typeof opened.pool.query;
      const subscribers = filters.map((filter) => {
        const received: StoredEvent[] = [];
        const subscription = opened.store.subscribeToAll({ fromPosition: from, filter });
        const done = (async () => {
          for await (const batch of subscription) {
            yielded++;
            received.push(...batch.events);
          }
        })();
        return { filter, received, stop: async () => (await subscription.close(), await done) };
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 100));
        reads = 0;
        yielded = 0;
        // 8 writers, one event per append, types and categories interleaved.
        await Promise.all(
          Array.from({ length: 8 }, async (_, writer) => {
            for (let n = 0; n < 60; n++) {
              const category = categories[(writer + n) % 2] as string;
              await opened.store.appendToStream(streamName(category, String(writer)), [
                { ...event({ writer, n }), type: types[(writer + n) % 3] as string },
              ]);
            }
          }),
        );
        const all = (await opened.store.readAll({ fromPosition: from === 'start' ? 'start' : from + 1n, maxCount: 10_000 })).filter(
          (stored) => categories.some((category) => stored.streamName.startsWith(`${category}-`)),
        );
        expect(all).to.have.length(480);
        for (const subscriber of subscribers) {
          const expected = all.filter((stored) =>
            'eventTypes' in subscriber.filter
              ? subscriber.filter.eventTypes.includes(stored.type)
              : subscriber.filter.streamPrefixes.some((prefix) => stored.streamName.startsWith(prefix)),
          );
          // Well within the 5 s idle poll: a subscriber given a read older than its wake-up would wait for it.
          await waitFor(() => subscriber.received.length >= expected.length, 3_000);
          expect(subscriber.received.map((stored) => stored.eventId)).to.deep.equal(expected.map((stored) => stored.eventId));
        }
        // Unshared, every batch a subscriber yields is a read of its own.
        expect(reads).to.be.below(yielded / 2);
      } finally {
        opened.pool.query = query;
        await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
      }
    });
  });

  describe('a stream written by a younger transaction', () => {
    it('refuses an older transaction’s append with serialization_failure, where its positions would come below', async () => {
      const stream = streamName(`young${randomUUID().slice(0, 8)}`, 'one');
      await opened.store.appendToStream(stream, [event({ n: 0 })]);
      const older = new pg.Client({ connectionString: opened.database.url.href });
      await older.connect();
      try {
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()');
        // A younger transaction appends to the stream and commits.
        await opened.store.appendToStream(stream, [event({ n: 1 })]);
        const refused = await appendIn(older, stream, event({ n: 2 })).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).to.have.property('code', '40001');
        await older.query('ROLLBACK');
      } finally {
        await older.end();
      }
      const read = await opened.store.readStream(stream);
      expect(read.map((e) => e.revision)).to.deep.equal([0n, 1n]);
    });

    it('refuses it too when it waited for the younger one’s lock, and the stream goes on in revision order', async () => {
      const stream = streamName(`young${randomUUID().slice(0, 8)}`, 'one');
      await opened.store.appendToStream(stream, [event({ n: 0 })]);
      const blocker = new pg.Client({ connectionString: opened.database.url.href });
      await blocker.connect();
      try {
        // The store's append waits on the stream's lock, held by a transaction younger than the
        // store's, which then commits first.
        const older = new pg.Client({ connectionString: opened.database.url.href });
        await older.connect();
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()');
        await blocker.query('BEGIN');
        await appendIn(blocker, stream, event({ n: 1 }));
        const waiting = appendIn(older, stream, event({ n: 2 })).then(
          () => 'appended',
          (error: unknown) => (error as { code?: string }).code,
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        await blocker.query('COMMIT');
        expect(await waiting).to.equal('40001');
        await older.query('ROLLBACK');
        await older.end();
      } finally {
        await blocker.end();
      }
      await opened.store.appendToStream(stream, [event({ n: 3 })]);
      const read = await opened.store.readStream(stream);
      expect(read.map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
      for (let n = 1; n < read.length; n++) expect((read[n]?.position ?? 0n) > (read[n - 1]?.position ?? 0n)).to.equal(true);
    });
  });

  describe('grouped appends', () => {
    it('keeps each append to its own outcome when they share a transaction', async () => {
      const category = `group${randomUUID().slice(0, 8)}`;
      const contested = streamName(category, 'contested');
      await opened.store.appendToStream(contested, [event()], { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 10 }, () => opened.store.appendToStream(contested, [event()], { expectedRevision: 0n })),
        ...Array.from({ length: 10 }, (_, n) =>
          opened.store.appendToStream(streamName(category, `own${n}`), [event()], { expectedRevision: 'no_stream' }),
        ),
      ]);
      const contestedOutcomes = outcomes.slice(0, 10);
      expect(contestedOutcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      contestedOutcomes
        .filter((o) => o.status === 'rejected')
        .forEach((o) => expect(o.reason).to.be.instanceOf(WrongExpectedRevisionError));
      expect(outcomes.slice(10).every((o) => o.status === 'fulfilled')).to.equal(true);
    });

    it('creates many new streams in one group, each with its own revisions, positions and hash chain', async () => {
      const category = `fresh${randomUUID().slice(0, 8)}`;
      const plans = [
        // Streams of one to three events, new to the store: the set-based path.
        ...Array.from({ length: 30 }, (_, n) => ({
          stream: streamName(category, `own${n}`),
          size: 1 + (n % 3),
          expected: 'no_stream' as const,
        })),
        // One new stream twice with no_stream: one creates it, the other is a conflict.
        { stream: streamName(category, 'twice'), size: 2, expected: 'no_stream' as const },
        { stream: streamName(category, 'twice'), size: 1, expected: 'no_stream' as const },
        // One new stream three times with `any`: every append lands, one after another.
        ...Array.from({ length: 3 }, () => ({ stream: streamName(category, 'any'), size: 2, expected: 'any' as const })),
      ];
      const outcomes = await Promise.allSettled(
        plans.map((plan) =>
          opened.store.appendToStream(
            plan.stream,
            Array.from({ length: plan.size }, (_, n) => event({ n })),
            { expectedRevision: plan.expected },
          ),
        ),
      );
      const twice = outcomes.slice(30, 32);
      expect(twice.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      twice.filter((o) => o.status === 'rejected').forEach((o) => expect(o.reason).to.be.instanceOf(WrongExpectedRevisionError));
      expect(outcomes.slice(32).every((o) => o.status === 'fulfilled')).to.equal(true);

      for (const stream of new Set(plans.map((plan) => plan.stream))) {
        const read = await opened.store.readStream(stream);
        expect(read.map((e) => e.revision)).to.deep.equal(read.map((_, n) => BigInt(n)));
        expect(firstBrokenLink(read)).to.equal(undefined);
        for (let n = 1; n < read.length; n++) expect((read[n]?.position ?? 0n) > (read[n - 1]?.position ?? 0n)).to.equal(true);
      }
      expect(await opened.store.readStream(streamName(category, 'any'))).to.have.length(6);
      // Each append answered the position its last event was stored at.
      for (const [index, outcome] of outcomes.entries()) {
        const plan = plans[index];
        if (outcome.status !== 'fulfilled' || plan === undefined || plan.expected !== 'no_stream') continue;
        const read = await opened.store.readStream(plan.stream);
        expect(outcome.value.position).to.equal(read[read.length - 1]?.position);
        expect(outcome.value.nextExpectedRevision).to.equal(BigInt(plan.size - 1));
      }
      const all = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value.position !== null ? [o.value.position] : []));
      expect(new Set(all).size).to.equal(all.length);
    });

    it('sends the appends of callers woken by one answer together, not each alone', async () => {
      // An importer's shape: many callers, each appending to its new streams one after another.
      const pool = createPool(opened.database.url, 10, 'test');
      let statements = 0;
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      pool.query = ((...args: unknown[]) => {
        statements++;
        return query(...args);
      }) as typeof pool.query;
      const store = createPostgresEventStore({
        pool,
        notifications: createEventNotifications(pool, { connectionString: opened.database.url.href }, testLog),
      });
      try {
        const category = `burst${randomUUID().slice(0, 8)}`;
        await Promise.all(
          Array.from({ length: 200 }, async (_, caller) => {
            for (let n = 0; n < 5; n++) {
              await store.appendToStream(streamName(category, `${caller}_${n}`), [event()], { expectedRevision: 'no_stream' });
            }
          }),
        );
        const written = await opened.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE stream_id LIKE $1', [
          `${category}-%`,
        ]);
        expect(Number(written.rows[0]?.n)).to.equal(1_000);
        // About 32 statements for the 1,000 appends; sent as soon as a slot was free, 67 (in the
        // importer, where each caller does more between its appends, 10,900 of 11,100 went alone).
        expect(statements).to.be.below(48);
      } finally {
        await store.close();
        await pool.end();
      }
    });

    it('answers a retry inside the same group as a duplicate, not a conflict', async () => {
      const stream = streamName(`group${randomUUID().slice(0, 8)}`, '1');
      await opened.store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
      const same = [event({ n: 1 })];
      const results = await Promise.all(
        Array.from({ length: 12 }, () => opened.store.appendToStream(stream, same, { expectedRevision: 0n })),
      );
      expect(new Set(results.map((r) => r.position)).size).to.equal(1);
      expect(results.filter((r) => r.appended)).to.have.length(1);
      expect(await opened.store.readStream(stream)).to.have.length(2);
    });
  });
});
