import { expect } from 'chai';
import type { EventStore, StoredEvent, SubscriptionBatch } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { collect, collectUntil, event, isStrictlyIncreasing, newCategory, take, withTimeout } from './conformanceHelpers.ts';

/** Delivery: one global order, resuming, live delivery, filters. */
export const subscriptionConformance = (store: () => EventStore): void => {
  describe('one global order', () => {
    it('delivers every event of 8 concurrent writers × 2,000 exactly once, in position order', async function () {
      this.timeout(600_000);
      const category = newCategory();
      const writers = 8;
      const perWriter = 2_000;
      const subscription = store().subscribeToAll({
        fromPosition: (await store().headPosition()) ?? 'start',
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
            await store().appendToStream(stream, [event({ writer, n })], { expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1) });
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
      const all = await store().readAll({ fromPosition: received[0]?.position ?? 0n, maxCount: writers * perWriter * 2 });
      const ours = all.filter((e) => e.streamName.startsWith(`${category}-`));
      expect(ours.map((e) => e.eventId)).to.deep.equal(received.map((e) => e.eventId));
    });
  });

  describe('subscriptions', () => {
    it('resumes after a checkpoint with exactly the events not yet seen', async () => {
      const category = newCategory();
      const from = (await store().headPosition()) ?? 'start';
      const stream = streamName(category, '1');
      await store().appendToStream(
        stream,
        Array.from({ length: 30 }, (_, n) => event({ n })),
      );
      const filter = { streamPrefixes: [`${category}-`] };

      const first = store().subscribeToAll({ fromPosition: from, filter, maxBatchSize: 10 });
      const [firstBatch] = await take(first, 1);
      await first.close();
      expect(firstBatch?.events.map((e) => e.data.n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

      const resumed = store().subscribeToAll({ fromPosition: firstBatch?.checkpoint ?? 'start', filter });
      const rest = await collect(resumed, 20);
      expect(rest.map((e) => e.data.n)).to.deep.equal(Array.from({ length: 20 }, (_, n) => n + 10));
    });

    it('catches up, then delivers live appends', async () => {
      const category = newCategory();
      const from = (await store().headPosition()) ?? 'start';
      const stream = streamName(category, '1');
      await store().appendToStream(stream, [event({ n: 0 }), event({ n: 1 })]);
      const subscription = store().subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
      const received: StoredEvent[] = [];
      const iterator = subscription[Symbol.asyncIterator]();
      while (received.length < 2) received.push(...((await iterator.next()).value as SubscriptionBatch).events);
      setTimeout(() => void store().appendToStream(stream, [event({ n: 2 })]), 50);
      const started = Date.now();
      while (received.length < 3)
        received.push(...((await withTimeout(iterator.next(), 5_000, () => 'no live event')).value as SubscriptionBatch).events);
      await subscription.close();
      expect(received.map((e) => e.data.n)).to.deep.equal([0, 1, 2]);
      expect(Date.now() - started).to.be.below(2_000);
    });

    it('filters by event type and by stream prefix, moving the checkpoint past what it leaves out', async () => {
      const category = newCategory();
      const from = (await store().headPosition()) ?? 'start';
      await store().appendToStream(streamName(category, 'a'), [
        event({ n: 0 }, 'Kept'),
        event({ n: 1 }, 'Dropped'),
        event({ n: 2 }, 'Kept'),
      ]);
      await store().appendToStream(streamName(`${category}x`, 'b'), [event({ n: 3 }, 'Kept')]);
      const head = await store().headPosition();

      const byType = await collectUntil(store().subscribeToAll({ fromPosition: from, filter: { eventTypes: ['Kept'] } }), head);
      expect(byType.events.filter((e) => e.streamName.startsWith(category)).map((e) => e.data.n)).to.deep.equal([0, 2, 3]);
      expect(byType.events.every((e) => e.type === 'Kept')).to.equal(true);

      const byPrefix = await collectUntil(
        store().subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } }),
        head,
      );
      expect(byPrefix.events.map((e) => e.data.n)).to.deep.equal([0, 1, 2]);
    });
  });
};
