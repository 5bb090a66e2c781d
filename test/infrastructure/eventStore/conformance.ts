import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type {
  EventStore,
  EventToAppend,
  Position,
  StoredEvent,
  StreamName,
  SubscriptionBatch,
} from '../../../src/infrastructure/eventStore/eventStore.ts';
import { firstBrokenLink } from '../../../src/infrastructure/eventStore/envelope.ts';
import { InvalidEventError, InvalidStreamNameError, WrongExpectedRevisionError } from '../../../src/infrastructure/eventStore/errors.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';

/**
 * The guarantees of DESIGN.md's event store, run against every adapter. `open` gives a store on a
 * fresh backing store (or one shared by the whole suite: tests use streams of their own and never
 * assume an empty log).
 */
export interface ConformanceTarget {
  readonly open: () => Promise<EventStore>;
  readonly teardown: () => Promise<void>;
}

export const eventStoreConformance = (name: string, target: () => ConformanceTarget | string): void => {
  describe(`event store conformance: ${name}`, function () {
    this.timeout(120_000);
    let store: EventStore;
    let current: ConformanceTarget | undefined;

    before(async function () {
      const chosen = target();
      if (typeof chosen === 'string') {
        console.log(`      skipped: ${chosen}`);
        this.skip();
      }
      current = chosen;
      store = await chosen.open();
    });

    after(async () => {
      await store?.close();
      await current?.teardown();
    });

    describe('appending with an expected revision', () => {
      it('creates a stream with no_stream and refuses no_stream once it exists', async () => {
        const stream = newStream();
        const first = await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).to.equal(0n);
        expect(first.appended).to.equal(true);
        const error = await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).to.equal(0n);
        expect(await store.readStream(stream)).to.have.length(1);
      });

      it('appends at the exact revision and refuses a stale one, appending nothing', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event(), event()], { expectedRevision: 'no_stream' });
        const next = await store.appendToStream(stream, [event()], { expectedRevision: 1n });
        expect(next.nextExpectedRevision).to.equal(2n);
        for (const stale of [0n, 1n, 3n]) {
          const error = await store.appendToStream(stream, [event(), event()], { expectedRevision: stale }).catch((e: unknown) => e);
          expect(error, `expected revision ${stale}`).to.be.instanceOf(WrongExpectedRevisionError);
          expect((error as WrongExpectedRevisionError).expected).to.equal(stale);
          expect((error as WrongExpectedRevisionError).actual).to.equal(2n);
        }
        expect((await store.readStream(stream)).map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
      });

      it('refuses an exact revision on a stream that does not exist', async () => {
        const stream = newStream();
        const error = await store.appendToStream(stream, [event()], { expectedRevision: 0n }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).to.equal('no_stream');
        expect(await store.readStream(stream)).to.deep.equal([]);
      });

      it('appends with stream_exists only to a stream that exists', async () => {
        const stream = newStream();
        const error = await store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).to.equal('no_stream');
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const result = await store.appendToStream(stream, [event()], { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).to.equal(1n);
      });

      it('appends with any whatever the stream holds', async () => {
        const stream = newStream();
        expect((await store.appendToStream(stream, [event()], { expectedRevision: 'any' })).nextExpectedRevision).to.equal(0n);
        expect((await store.appendToStream(stream, [event(), event()])).nextExpectedRevision).to.equal(2n);
      });

      it('lets exactly one of many concurrent appenders at one revision win', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(stream, [event()], { expectedRevision: 0n })),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).to.be.instanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).to.have.length(2);
      });

      it('lets exactly one of many concurrent creators of a stream win', async () => {
        const stream = newStream();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' })),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
        expect(await store.readStream(stream)).to.have.length(1);
      });
    });

    describe('re-appending the same events', () => {
      it('is a no-op at the same expected revision, answering the first result', async () => {
        const stream = newStream();
        const events = [event(), event()];
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(again.appended).to.equal(false);
        expect(again.nextExpectedRevision).to.equal(first.nextExpectedRevision);
        expect(again.position).to.equal(first.position);
        const later = [event()];
        const third = await store.appendToStream(stream, later, { expectedRevision: 1n });
        expect((await store.appendToStream(stream, later, { expectedRevision: 1n })).position).to.equal(third.position);
        expect(await store.readStream(stream)).to.have.length(3);
      });

      it('is a no-op with expected revision any', async () => {
        const stream = newStream();
        const events = [event(), event()];
        await store.appendToStream(stream, events, { expectedRevision: 'any' });
        const again = await store.appendToStream(stream, events, { expectedRevision: 'any' });
        expect(again.appended).to.equal(false);
        expect(await store.readStream(stream)).to.have.length(2);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards and backwards from a revision, up to a count', async () => {
        const stream = newStream();
        await store.appendToStream(
          stream,
          Array.from({ length: 10 }, (_, n) => event({ n })),
          { expectedRevision: 'no_stream' },
        );
        const numbers = (events: StoredEvent[]) => events.map((e) => e.data.n);
        expect(numbers(await store.readStream(stream))).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(numbers(await store.readStream(stream, { fromRevision: 3n, maxCount: 4 }))).to.deep.equal([3, 4, 5, 6]);
        expect(numbers(await store.readStream(stream, { direction: 'backwards', maxCount: 3 }))).to.deep.equal([9, 8, 7]);
        expect(numbers(await store.readStream(stream, { direction: 'backwards', fromRevision: 4n }))).to.deep.equal([4, 3, 2, 1, 0]);
        expect(numbers(await store.readStream(stream, { fromRevision: 10n }))).to.deep.equal([]);
        expect(await store.readStream(newStream())).to.deep.equal([]);
      });

      it('keeps the envelope: ids, types, versions, metadata, revisions', async () => {
        const stream = newStream();
        const appended = event({ title: 'Heat' }, 'MovieAdded', 3);
        await store.appendToStream(stream, [appended]);
        const [read] = await store.readStream(stream);
        expect(read).to.include({ eventId: appended.eventId, type: 'MovieAdded', schemaVersion: 3, streamName: stream, revision: 0n });
        expect(read?.data).to.deep.equal({ title: 'Heat' });
        expect(read?.metadata).to.deep.equal(appended.metadata);
        expect(read?.recordedAt).to.be.instanceOf(Date);
      });
    });

    describe('reading all streams', () => {
      it('reads forwards and backwards from a position, up to a count, in position order', async () => {
        const stream = newStream();
        await store.appendToStream(
          stream,
          Array.from({ length: 5 }, (_, n) => event({ n })),
        );
        const ours = await store.readStream(stream);
        const start = ours[0]?.position ?? 0n;
        const forwards = await store.readAll({ fromPosition: start, maxCount: 5 });
        expect(forwards.map((e) => e.eventId)).to.deep.equal(ours.map((e) => e.eventId));
        const backwards = await store.readAll({ fromPosition: ours[4]?.position ?? 0n, direction: 'backwards', maxCount: 5 });
        expect(backwards.map((e) => e.eventId)).to.deep.equal([...ours].reverse().map((e) => e.eventId));
        const last = await store.readAll({ direction: 'backwards', maxCount: 1 });
        expect(last[0]?.position).to.equal(await store.headPosition());
      });
    });

    describe('one global order', () => {
      it('delivers every event of 8 concurrent writers × 2,000 exactly once, in position order', async function () {
        this.timeout(600_000);
        const category = newCategory();
        const writers = 8;
        const perWriter = 2_000;
        const subscription = store.subscribeToAll({
          fromPosition: (await store.headPosition()) ?? 'start',
          filter: { streamPrefixes: [`${category}-`] },
        });
        const received: StoredEvent[] = [];
        const receiving = (async () => {
          for await (const batch of subscription) {
            received.push(...batch.events);
            if (received.length >= writers * perWriter) break;
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            const stream = streamName(category, `w${writer}`);
            for (let n = 0; n < perWriter; n++) {
              await store.appendToStream(stream, [event({ writer, n })], { expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1) });
            }
          }),
        );
        await withTimeout(receiving, 60_000, () => `received ${received.length} of ${writers * perWriter}`);
        await subscription.close();

        expect(received).to.have.length(writers * perWriter);
        expect(new Set(received.map((e) => e.eventId)).size).to.equal(writers * perWriter);
        expect(isStrictlyIncreasing(received.map((e) => e.position))).to.equal(true);
        for (let writer = 0; writer < writers; writer++) {
          const own = received.filter((e) => e.data.writer === writer).map((e) => e.data.n);
          expect(own).to.deep.equal(Array.from({ length: perWriter }, (_, n) => n));
        }
        const all = await store.readAll({ fromPosition: received[0]?.position ?? 0n, maxCount: writers * perWriter * 2 });
        const ours = all.filter((e) => e.streamName.startsWith(`${category}-`));
        expect(ours.map((e) => e.eventId)).to.deep.equal(received.map((e) => e.eventId));
      });
    });

    describe('subscriptions', () => {
      it('resumes after a checkpoint with exactly the events not yet seen', async () => {
        const category = newCategory();
        const from = (await store.headPosition()) ?? 'start';
        const stream = streamName(category, '1');
        await store.appendToStream(
          stream,
          Array.from({ length: 30 }, (_, n) => event({ n })),
        );
        const filter = { streamPrefixes: [`${category}-`] };

        const first = store.subscribeToAll({ fromPosition: from, filter, maxBatchSize: 10 });
        const [firstBatch] = await take(first, 1);
        await first.close();
        expect(firstBatch?.events.map((e) => e.data.n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        const resumed = store.subscribeToAll({ fromPosition: firstBatch?.checkpoint ?? 'start', filter });
        const rest = await collect(resumed, 20);
        expect(rest.map((e) => e.data.n)).to.deep.equal(Array.from({ length: 20 }, (_, n) => n + 10));
      });

      it('catches up, then delivers live appends', async () => {
        const category = newCategory();
        const from = (await store.headPosition()) ?? 'start';
        const stream = streamName(category, '1');
        await store.appendToStream(stream, [event({ n: 0 }), event({ n: 1 })]);
        const subscription = store.subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
        const received: StoredEvent[] = [];
        const iterator = subscription[Symbol.asyncIterator]();
        while (received.length < 2) received.push(...((await iterator.next()).value as SubscriptionBatch).events);
        setTimeout(() => void store.appendToStream(stream, [event({ n: 2 })]), 50);
        const started = Date.now();
        while (received.length < 3)
          received.push(...((await withTimeout(iterator.next(), 5_000, () => 'no live event')).value as SubscriptionBatch).events);
        await subscription.close();
        expect(received.map((e) => e.data.n)).to.deep.equal([0, 1, 2]);
        expect(Date.now() - started).to.be.below(2_000);
      });

      it('filters by event type and by stream prefix, moving the checkpoint past what it leaves out', async () => {
        const category = newCategory();
        const from = (await store.headPosition()) ?? 'start';
        await store.appendToStream(streamName(category, 'a'), [
          event({ n: 0 }, 'Kept'),
          event({ n: 1 }, 'Dropped'),
          event({ n: 2 }, 'Kept'),
        ]);
        await store.appendToStream(streamName(`${category}x`, 'b'), [event({ n: 3 }, 'Kept')]);
        const head = await store.headPosition();

        const byType = await collectUntil(store.subscribeToAll({ fromPosition: from, filter: { eventTypes: ['Kept'] } }), head);
        expect(byType.events.filter((e) => e.streamName.startsWith(category)).map((e) => e.data.n)).to.deep.equal([0, 2, 3]);
        expect(byType.events.every((e) => e.type === 'Kept')).to.equal(true);

        const byPrefix = await collectUntil(
          store.subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } }),
          head,
        );
        expect(byPrefix.events.map((e) => e.data.n)).to.deep.equal([0, 1, 2]);
      });
    });

    describe('payloads', () => {
      it('keeps unicode exactly', async () => {
        const stream = newStream();
        const data = {
          title: 'Amélie — 天使爱美丽 — أميلي — 🎬🍿👩‍👩‍👧 — Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫ',
          nul: 'before\u0000after',
          escapes: 'quote " backslash \\ newline \n tab \t',
          ключ: ['ü', '\u2028', '\uFEFF'],
        };
        await store.appendToStream(stream, [event(data)]);
        const [read] = await store.readStream(stream);
        expect(read?.data).to.deep.equal(data);
      });

      it('keeps 1 MB payloads, and their hash chain verifies', async () => {
        const stream = newStream();
        const ascii = { blob: 'x'.repeat(1_000_000) };
        const multibyte = { blob: 'é'.repeat(500_000) };
        await store.appendToStream(stream, [event(ascii)]);
        await store.appendToStream(stream, [event(multibyte)]);
        const read = await store.readStream(stream);
        expect(read[0]?.data).to.deep.equal(ascii);
        expect(read[1]?.data).to.deep.equal(multibyte);
        expect(firstBrokenLink(read)).to.equal(undefined);
      });
    });

    describe('the hash chain', () => {
      it('chains each event to the previous one of its stream, across appends', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event({ n: 0 }), event({ n: 1 })]);
        await store.appendToStream(stream, [event({ n: 2 })]);
        const read = await store.readStream(stream);
        expect(firstBrokenLink(read)).to.equal(undefined);
        expect(new Set(read.map((e) => e.hash)).size).to.equal(3);
        const tampered = read.map((e, index) => (index === 1 ? { ...e, data: { n: 99 } } : e));
        expect(firstBrokenLink(tampered)).to.equal(1n);
      });
    });

    describe('bad input', () => {
      for (const bad of [
        '',
        'nocategory',
        '$all',
        '$et-MovieAdded',
        'has space-1',
        'movie-',
        '-1',
        'Movie-1',
        `movie-${'x'.repeat(300)}`,
        'movie-a/b',
        "movie-1'; drop table events;--",
      ]) {
        it(`rejects the stream name ${JSON.stringify(bad.slice(0, 40))}, writing nothing`, async () => {
          const error = await store.appendToStream(bad as StreamName, [event()]).catch((e: unknown) => e);
          expect(error).to.be.instanceOf(InvalidStreamNameError);
        });
      }

      it('rejects events that are not well-formed, writing none of the append', async () => {
        const stream = newStream();
        const cases: EventToAppend[] = [
          { ...event(), eventId: 'not-a-uuid' },
          { ...event(), type: '' },
          { ...event(), schemaVersion: 0 },
          { ...event(), data: { when: Number.NaN } },
          { ...event(), metadata: { ...event().metadata, occurredAt: 'yesterday' } },
        ];
        for (const bad of cases) {
          const error = await store.appendToStream(stream, [event(), bad]).catch((e: unknown) => e);
          expect(error).to.be.instanceOf(InvalidEventError);
        }
        const id = randomUUID();
        const twice = await store.appendToStream(stream, [event({}, 'T', 1, id), event({}, 'T', 1, id)]).catch((e: unknown) => e);
        expect(twice).to.be.instanceOf(InvalidEventError);
        expect(await store.readStream(stream)).to.deep.equal([]);
      });
    });
  });
};

// helpers

const newCategory = (): string => `conf${randomBytes(5).toString('hex')}`;
const newStream = (): StreamName => streamName(newCategory(), randomUUID());

const event = (
  data: Record<string, unknown> = {},
  type = 'Happened',
  schemaVersion = 1,
  eventId: string = randomUUID(),
): EventToAppend => ({
  eventId,
  type,
  schemaVersion,
  data: data as EventToAppend['data'],
  metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: randomUUID(), causationId: null },
});

const isStrictlyIncreasing = (positions: readonly Position[]): boolean =>
  positions.every((position, index) => index === 0 || position > (positions[index - 1] ?? position));

const take = async (subscription: AsyncIterable<SubscriptionBatch>, count: number): Promise<SubscriptionBatch[]> => {
  const batches: SubscriptionBatch[] = [];
  for await (const batch of subscription) {
    batches.push(batch);
    if (batches.length >= count) break;
  }
  return batches;
};

const collect = async (
  subscription: AsyncIterable<SubscriptionBatch> & { close: () => Promise<void> },
  count: number,
): Promise<StoredEvent[]> => {
  const events: StoredEvent[] = [];
  await withTimeout(
    (async () => {
      for await (const batch of subscription) {
        events.push(...batch.events);
        if (events.length >= count) break;
      }
    })(),
    10_000,
    () => `collected ${events.length} of ${count}`,
  );
  await subscription.close();
  return events;
};

/** Everything a subscription delivers until its checkpoint reaches `head`. */
const collectUntil = async (
  subscription: AsyncIterable<SubscriptionBatch> & { close: () => Promise<void> },
  head: Position | null,
): Promise<{ events: StoredEvent[] }> => {
  const events: StoredEvent[] = [];
  await withTimeout(
    (async () => {
      for await (const batch of subscription) {
        events.push(...batch.events);
        if (head === null || batch.checkpoint >= head) break;
      }
    })(),
    10_000,
    () => `collected ${events.length} before timing out`,
  );
  await subscription.close();
  return { events };
};

const withTimeout = <T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${describe()}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
