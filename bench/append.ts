import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import { dumbo } from '@event-driven-io/dumbo';
import type { EventStore, EventToAppend } from '../src/infrastructure/eventStore/eventStore.ts';
import { createEventNotifications } from '../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { streamName } from '../src/infrastructure/eventStore/streamName.ts';
import { createPool } from '../src/infrastructure/postgres/pool.ts';
import { createTestDatabase, startTestPostgres, stopTestPostgres, testLog } from '../test/support/postgresServer.ts';
import { describeEnvironment } from './support/environment.ts';
import { elapsedMs, round, summarise, table, whole } from './support/stats.ts';

// Appends and reads of the PostgreSQL event store, side by side with Emmett's PostgreSQL event store
// and raw COPY on the same server, with the same payloads.
//   single-event appends at 1, 16 and 64 concurrent writers (each to a stream of its own, with the
//   exact expected revision, as command handlers append); 100-event batches; a catch-up read of the
//   whole log; live delivery from commit to a subscriber in another "process" (own pools).

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const poolSize = 20;

// Payloads are drawn from a set built before anything is timed: making them (four random UUIDs and a
// date each) costs about 10 µs an event, as much as a store's own client code, and it would be counted
// against whichever store is being measured. Every event still gets an id of its own.
const payloads = Array.from({ length: 4_096 }, () => ({
  data: { movieId: randomUUID(), userId: randomUUID(), score: 4.5, ratedVia: 'web' },
  metadata: { occurredAt: new Date().toISOString(), actorId: randomUUID(), correlationId: randomUUID(), causationId: null },
}));
let drawn = 0;
const draw = () => payloads[drawn++ % payloads.length] as (typeof payloads)[number];
const ourEvent = (): EventToAppend => {
  const { data, metadata } = draw();
  return { eventId: randomUUID(), type: 'MovieRated', schemaVersion: 1, data, metadata };
};
// Emmett makes the event's id itself.
const emmettEvent = () => {
  const { data, metadata } = draw();
  return { type: 'MovieRated' as const, data, metadata };
};

interface Row {
  readonly name: string;
  readonly events: number;
  readonly ms: number;
  readonly latencies: number[];
}

/** Runs `writers` loops for the bench duration; each call of `step` is timed. */
const timed = async (name: string, writers: number, step: (writer: number, n: number) => Promise<number>): Promise<Row> => {
  const latencies: number[] = [];
  let events = 0;
  const deadline = Date.now() + seconds * 1_000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const at = process.hrtime.bigint();
        const appended = await step(writer, n);
        latencies.push(elapsedMs(at));
        events += appended;
      }
    }),
  );
  return { name, events, ms: elapsedMs(started), latencies };
};

const format = (rows: readonly Row[]): string =>
  table(
    ['scenario', 'events/s', 'p50 ms', 'p99 ms'],
    rows.map((row) => {
      const latency = summarise(row.latencies);
      return [row.name, whole((row.events / row.ms) * 1_000), round(latency.p50, 2), round(latency.p99, 2)];
    }),
  );

export const main = async (): Promise<void> => {
  await startTestPostgres();
  const database = await createTestDatabase();
  console.log(await describeEnvironment(database.url));
  console.log(`each append scenario runs ${seconds} s; pools of ${poolSize} connections for both stores\n`);

  const pool = createPool(database.url, poolSize, 'bench');
  const ours = createPostgresEventStore({
    pool,
    notifications: createEventNotifications(pool, { connectionString: database.url.href }, testLog),
  });
  const emmettPool = new pg.Pool({ connectionString: database.url.href, max: poolSize });
  const emmett = getPostgreSQLEventStore(database.url.href, { connectionOptions: { pool: emmettPool } });
  await emmett.schema.migrate();

  const rows: Row[] = [];
  for (const writers of [1, 16, 64]) {
    const run = `s${writers}${randomUUID().slice(0, 8)}`;
    rows.push(
      await timed(`FastFlix: single-event appends, ${writers} writers`, writers, async (writer, n) => {
        await ours.appendToStream(streamName(run, String(writer)), [ourEvent()], {
          expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1),
        });
        return 1;
      }),
    );
    rows.push(
      await timed(`Emmett: single-event appends, ${writers} writers`, writers, async (writer, n) => {
        await emmett.appendToStream(`${run}-${writer}`, [emmettEvent()], {
          expectedStreamVersion: BigInt(n),
        });
        return 1;
      }),
    );
  }
  for (const writers of [1, 4, 16]) {
    const run = `b${writers}${randomUUID().slice(0, 8)}`;
    rows.push(
      await timed(`FastFlix: 100-event batches, ${writers} writers`, writers, async (writer, n) => {
        await ours.appendToStream(streamName(run, String(writer)), Array.from({ length: 100 }, ourEvent), {
          expectedRevision: n === 0 ? 'no_stream' : BigInt(n * 100 - 1),
        });
        return 100;
      }),
    );
    rows.push(
      await timed(`Emmett: 100-event batches, ${writers} writers`, writers, async (writer, n) => {
        await emmett.appendToStream(`${run}-${writer}`, Array.from({ length: 100 }, emmettEvent), {
          expectedStreamVersion: BigInt(n * 100),
        });
        return 100;
      }),
    );
  }
  rows.push(await copyLimit(database.url));
  console.log(format(rows));

  console.log('\n' + (await catchUp(ours, database.url)));
  console.log('\n' + (await liveDelivery(ours, database.url)));

  await ours.close();
  await pool.end();
  await emmett.close();
  await emmettPool.end().catch(() => undefined);
  await database.drop();
  await stopTestPostgres();
};

/** COPY of ready-made rows into `events` (positions far above the others): the physical limit. */
const copyLimit = async (url: URL): Promise<Row> => {
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const base = 1n << 61n;
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  let events = 0;
  const deadline = Date.now() + seconds * 1_000;
  for (let batch = 0; Date.now() < deadline; batch++) {
    const lines: string[] = [];
    for (let n = 0; n < 10_000; n++, events++) {
      const { data: payload, metadata } = draw();
      const data = JSON.stringify(payload).replace(/\\/g, '\\\\');
      const meta = JSON.stringify(metadata).replace(/\\/g, '\\\\');
      lines.push(
        `${base + BigInt(events)}\tcopy-${batch}\t${n}\t${randomUUID()}\tMovieRated\t1\t${data}\t${meta}\t\\\\x${'00'.repeat(32)}\n`,
      );
    }
    const at = process.hrtime.bigint();
    await pipeline(
      Readable.from(lines),
      client.query(
        copyFrom('COPY events (position, stream_id, revision, event_id, type, schema_version, data, metadata, hash) FROM STDIN'),
      ),
    );
    latencies.push(elapsedMs(at));
  }
  const ms = elapsedMs(started);
  // The log refuses DELETE (migrations/20261204171000000_append-only-log.sql); a superuser's session can pass its triggers by.
  await client.query("SET session_replication_role = 'replica'");
  await client.query('DELETE FROM events WHERE position >= $1', [base]);
  await client.end();
  return { name: 'raw COPY into events (10,000-row copies)', events, ms, latencies };
};

/** Reads the whole log from the start; timing of the first and the last batches shows whether cost grows. */
const catchUp = async (store: EventStore, url: URL): Promise<string> => {
  const total = Number((await pgQuery(url, 'SELECT count(*) AS n FROM events')).rows[0]?.n ?? 0);
  const batchMs: number[] = [];
  let read = 0;
  const started = process.hrtime.bigint();
  let at = process.hrtime.bigint();
  const subscription = store.subscribeToAll({ fromPosition: 'start', maxBatchSize: 1_000 });
  for await (const batch of subscription) {
    batchMs.push(elapsedMs(at));
    read += batch.events.length;
    if (batch.caughtUp) break;
    at = process.hrtime.bigint();
  }
  const ms = elapsedMs(started);
  await subscription.close();

  const emmettPool = dumbo({ connectionString: url.href });
  const emmettBatchMs: number[] = [];
  let emmettRead = 0;
  let after = 0n;
  const emmettStarted = process.hrtime.bigint();
  const emmettDeadline = Date.now() + 20_000;
  while (Date.now() < emmettDeadline) {
    const batchAt = process.hrtime.bigint();
    const result = await readMessagesBatch(emmettPool.execute, { after, batchSize: 1_000 });
    emmettBatchMs.push(elapsedMs(batchAt));
    emmettRead += result.messages.length;
    after = result.currentGlobalPosition;
    if (!result.areMessagesLeft) break;
  }
  const emmettMs = elapsedMs(emmettStarted);
  await emmettPool.close();

  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return [
    `catch-up read of the whole log, 1,000-event batches (FastFlix log: ${whole(total)} events; Emmett reads its own table, stopped after 20 s):`,
    '',
    table(
      ['reader', 'events read', 'events/s', 'ms/batch, first 20', 'ms/batch, last 20'],
      [
        [
          'FastFlix subscribeToAll',
          whole(read),
          whole((read / ms) * 1_000),
          round(mean(batchMs.slice(0, 20)), 2),
          round(mean(batchMs.slice(-20)), 2),
        ],
        [
          'Emmett readMessagesBatch',
          whole(emmettRead),
          whole((emmettRead / emmettMs) * 1_000),
          round(mean(emmettBatchMs.slice(0, 20)), 2),
          round(mean(emmettBatchMs.slice(-20)), 2),
        ],
      ],
    ),
  ].join('\n');
};

/**
 * 1,000 appends/s from 16 writers; a subscriber on separate pools (woken by NOTIFY only, as another
 * process would be) records when each event arrives. Latency = arrival − the append's commit ack.
 */
const liveDelivery = async (store: EventStore, url: URL): Promise<string> => {
  const peerPool = createPool(url, 4, 'bench-peer');
  const peer = createPostgresEventStore({
    pool: peerPool,
    notifications: createEventNotifications(peerPool, { connectionString: url.href }, testLog),
  });
  const committedAt = new Map<string, number>();
  const arrivedAt = new Map<string, number>();
  const subscription = peer.subscribeToAll({ fromPosition: (await store.headPosition()) ?? 'start' });
  const receiving = (async () => {
    for await (const batch of subscription) {
      const now = performance.now();
      for (const event of batch.events) arrivedAt.set(event.eventId, now);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const rate = 1_000;
  const writers = 16;
  const total = rate * seconds;
  const run = `live${randomUUID().slice(0, 8)}`;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; n * writers + writer < total; n++) {
        const due = started + ((n * writers + writer) / rate) * 1_000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const event = ourEvent();
        await store.appendToStream(streamName(run, String(writer)), [event], { expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1) });
        committedAt.set(event.eventId, performance.now());
      }
    }),
  );
  const deadline = Date.now() + 5_000;
  while (arrivedAt.size < committedAt.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await subscription.close();
  await receiving;
  await peer.close();
  await peerPool.end();
  const latencies = [...committedAt].map(([id, at]) => Math.max(0, (arrivedAt.get(id) ?? Number.POSITIVE_INFINITY) - at));
  const latency = summarise(latencies);
  return [
    `live delivery, commit → subscriber in another process (${whole(rate)} appends/s from ${writers} writers for ${seconds} s):`,
    '',
    table(
      ['delivered', 'p50 ms', 'p99 ms', 'max ms'],
      [[`${whole(arrivedAt.size)} of ${whole(committedAt.size)}`, round(latency.p50, 2), round(latency.p99, 2), round(latency.max, 2)]],
    ),
  ].join('\n');
};

const pgQuery = async (url: URL, text: string) => {
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    return await client.query<{ n: string }>(text);
  } finally {
    await client.end();
  }
};
