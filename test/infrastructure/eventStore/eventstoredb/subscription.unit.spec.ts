import { AccessDeniedError, TimeoutError, UnavailableError } from '@eventstore/db-client';
import { expect } from 'chai';
import { EventStoreAccessDeniedError } from '../../../../src/infrastructure/eventStore/errors.ts';
import type { Subscription, SubscriptionBatch } from '../../../../src/infrastructure/eventStore/eventStore.ts';
import { SubscriptionEndedError } from '../../../../src/infrastructure/eventStore/eventstoredb/resubscribing.ts';
import { subscribeWith } from '../../../../src/infrastructure/eventStore/eventstoredb/subscription.ts';
import { at, logReads, noPosition, ours, recordedLog, replayedCalls, system, type Message } from './recordedCalls.ts';

// The EventStoreDB subscription's logic, driven by message sequences recorded from servers 23.10
// and 24.10 (see recordedCalls.ts), asserting what the adapter reports. Unit tests of the adapter:
// no server runs here.

const stream = 'movie-1';
const prefix = 'movie-';

const event = (record: ReturnType<typeof ours>): Message => ({ kind: 'event', record });
const confirmation: Message = { kind: 'confirmation' };
const caughtUp: Message = { kind: 'caughtUp' };

/** Batches until `done` says so (or the time runs out), then closes the subscription. */
const collect = async (
  subscription: Subscription,
  done: (batches: readonly SubscriptionBatch[]) => boolean,
  ms = 5_000,
): Promise<SubscriptionBatch[]> => {
  const batches: SubscriptionBatch[] = [];
  const timer = setTimeout(() => void subscription.close(), ms);
  try {
    for await (const batch of subscription) {
      batches.push(batch);
      if (done(batches)) break;
    }
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  return batches;
};

const numbers = (batches: readonly SubscriptionBatch[]): number[] => batches.flatMap((batch) => batch.events.map((e) => Number(e.data.at)));

describe('EventStoreDB subscription, replaying recorded server messages', () => {
  it('23.10 catching up (no CaughtUp until live): reports caughtUp false until the head is reached', async () => {
    const log = recordedLog([100n, 200n, 300n, 400n, 500n, 600n].map((p) => ours(p, stream)));
    const [e1, e2, e3, e4, e5, e6] = log.records.map(event);
    const taken: SubscriptionBatch[] = [];
    const calls = replayedCalls([[confirmation, e1!, e2!, e3!, { kind: 'when', until: () => taken.length >= 1 }, e4!, e5!, e6!, caughtUp]]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start', maxBatchSize: 3 });
    const batches = await collect(subscription, (all) => {
      taken.splice(0, taken.length, ...all);
      return all.at(-1)?.caughtUp === true;
    });
    expect(numbers(batches)).to.deep.equal([100, 200, 300, 400, 500, 600]);
    expect(batches[0]?.caughtUp).to.equal(false);
    expect(batches.slice(0, -1).every((batch) => !batch.caughtUp)).to.equal(true);
    expect(batches.at(-1)?.checkpoint).to.equal(600n);
  });

  it('a server that never says CaughtUp (before 23.10): caught up once the checkpoint reaches the last record of $all', async () => {
    const log = recordedLog([ours(100n, stream), ours(200n, stream), system(300n)]);
    const calls = replayedCalls([[confirmation, event(log.records[0]!), event(log.records[1]!)]]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start' });
    const batches = await collect(subscription, (all) => all.at(-1)?.caughtUp === true);
    expect(numbers(batches)).to.deep.equal([100, 200]);
    // The system record after the last event is passed over by a read of $all, then the head is reached.
    expect(batches.at(-1)).to.include({ checkpoint: 300n, caughtUp: true });
    expect(batches.slice(0, -1).every((batch) => !batch.caughtUp)).to.equal(true);
  });

  it('24.10 sending the (2^64−1, 2^64−1) checkpoint after an empty catch-up: the event appended meanwhile is still delivered', async () => {
    const log = recordedLog([system(100n), ours(200n, 'other-1')]);
    const appended = ours(300n, stream);
    const calls = replayedCalls([
      [
        confirmation,
        // The catch-up found nothing; an event lands before the adapter reads the log for the checkpoint.
        { kind: 'when', until: () => true, then: () => log.append(appended) },
        { kind: 'checkpoint', position: noPosition },
        caughtUp,
        event(appended),
      ],
    ]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start' });
    const batches = await collect(subscription, (all) => numbers(all).length > 0, 2_000);
    expect(numbers(batches)).to.deep.equal([300]);
    expect(batches.every((batch) => batch.checkpoint < 2n ** 63n)).to.equal(true);
  });

  it("24.10 after an empty catch-up over only others' records: one batch moves the checkpoint to the head, caught up", async () => {
    const log = recordedLog(
      Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? system(BigInt(100 * (n + 1))) : ours(BigInt(100 * (n + 1)), 'other-1'))),
    );
    const calls = replayedCalls([[confirmation, { kind: 'checkpoint', position: noPosition }, caughtUp]]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start', maxBatchSize: 1 });
    const batches = await collect(subscription, (all) => all.length >= 1, 2_000);
    expect(batches.map((batch) => ({ events: batch.events.length, checkpoint: batch.checkpoint, caughtUp: batch.caughtUp }))).to.deep.equal(
      [{ events: 0, checkpoint: 5_000n, caughtUp: true }],
    );
  });

  it('23.10 dropping a live call as too slow (FellBehind is never sent): resubscribes from the last position, no gap, no duplicate', async () => {
    const log = recordedLog([100n, 200n, 300n, 400n, 500n].map((p) => ours(p, stream)));
    const [e1, e2, e3, e4, e5] = log.records.map(event);
    const calls = replayedCalls([
      [
        confirmation,
        e1!,
        e2!,
        caughtUp,
        e3!,
        { kind: 'lost', error: new TimeoutError(undefined, 'Operation timed out: Consumer too slow') },
      ],
      // 23.10 resumes after the event at the position given: from 300 it sends 400 on.
      [confirmation, e4!, e5!, caughtUp],
    ]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start', maxBatchSize: 1 });
    const batches = await collect(subscription, (all) => numbers(all).length >= 5 && all.at(-1)?.caughtUp === true);
    expect(numbers(batches)).to.deep.equal([100, 200, 300, 400, 500]);
    expect(calls.opened).to.deep.equal([null, 300n]);
    const at400 = batches.find((batch) => batch.checkpoint === 400n);
    expect(at400?.caughtUp).to.equal(false);
  });

  it('24.10 falling behind: caughtUp false from FellBehind until the next CaughtUp and the head', async () => {
    const log = recordedLog([ours(100n, stream)]);
    const taken: SubscriptionBatch[] = [];
    const e2 = ours(200n, stream);
    const e3 = ours(300n, stream);
    const calls = replayedCalls([
      [
        confirmation,
        event(log.records[0]!),
        caughtUp,
        { kind: 'when', until: () => taken.length >= 1, then: () => [e2, e3].forEach(log.append) },
        { kind: 'fellBehind' },
        { kind: 'checkpoint', position: at(100n) },
        event(e2),
        { kind: 'when', until: () => taken.length >= 2 },
        event(e3),
        { kind: 'checkpoint', position: at(300n) },
        caughtUp,
      ],
    ]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start' });
    const batches = await collect(subscription, (all) => {
      taken.splice(0, taken.length, ...all);
      return numbers(all).length >= 3 && all.at(-1)?.caughtUp === true;
    });
    expect(numbers(batches)).to.deep.equal([100, 200, 300]);
    expect(batches.map((batch) => [batch.checkpoint, batch.caughtUp])).to.deep.equal([
      [100n, true],
      [200n, false],
      [300n, true],
    ]);
  });

  it('a call that ends mid-catch-up: resumes from the last position passed, reports no caughtUp before the head', async () => {
    const log = recordedLog([100n, 200n, 300n, 400n, 500n, 600n].map((p) => ours(p, stream)));
    const [, , e3, e4, e5, e6] = log.records.map(event);
    const calls = replayedCalls([
      [confirmation, e3!, e4!, { kind: 'lost', error: new SubscriptionEndedError() }],
      // 24.10 resumes after the position given: from 400 it sends 500 on.
      [confirmation, e5!, e6!, caughtUp],
    ]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 200n, maxBatchSize: 1 });
    const batches = await collect(subscription, (all) => all.at(-1)?.caughtUp === true);
    expect(numbers(batches)).to.deep.equal([300, 400, 500, 600]);
    expect(calls.opened).to.deep.equal([200n, 400n]);
    expect(batches.slice(0, -1).every((batch) => !batch.caughtUp)).to.equal(true);
  });

  it('keeps resubscribing while the server is away, then carries on', async () => {
    const log = recordedLog([ours(100n, stream), ours(200n, stream)]);
    const unavailable = (): Message => ({
      kind: 'lost',
      error: new UnavailableError(undefined, '14 UNAVAILABLE: No connection established'),
    });
    const calls = replayedCalls([
      [confirmation, event(log.records[0]!), unavailable()],
      [unavailable()],
      [unavailable()],
      [confirmation, event(log.records[1]!), caughtUp],
    ]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start' });
    const started = Date.now();
    const batches = await collect(subscription, (all) => numbers(all).length >= 2);
    expect(numbers(batches)).to.deep.equal([100, 200]);
    expect(calls.opened).to.deep.equal([null, 100n, 100n, 100n]);
    // Paused 0.1, 0.2 and 0.4 s before the calls opened again.
    expect(Date.now() - started).to.be.at.least(650);
  });

  it('fails for refused credentials instead of trying again', async () => {
    const log = recordedLog([]);
    const calls = replayedCalls([[{ kind: 'lost', error: new AccessDeniedError(undefined, 'Access denied') }]]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start' });
    const error = await collect(subscription, () => false).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EventStoreAccessDeniedError);
    expect(calls.opened).to.have.length(1);
  });

  it('ends quietly when closed while waiting to resubscribe', async () => {
    const log = recordedLog([ours(100n, stream)]);
    const calls = replayedCalls([[confirmation, event(log.records[0]!), { kind: 'lost', error: new UnavailableError(undefined, 'gone') }]]);
    const subscription = subscribeWith({ open: calls.open, reads: logReads(log, prefix) }, { fromPosition: 'start' });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(numbers([(await iterator.next()).value as SubscriptionBatch])).to.deep.equal([100]);
    const pending = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closing = Date.now();
    await subscription.close();
    expect(Date.now() - closing).to.be.below(50);
    expect(await pending).to.deep.equal({ done: true, value: undefined });
    expect(calls.unsubscribed()).to.be.at.least(1);
  });
});
