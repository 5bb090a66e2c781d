import { expect } from 'chai';
import type { StoredEvent } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { subscriptionLoop, type BatchRead } from '../../../src/infrastructure/eventStore/subscriptionLoop.ts';
import { waitFor } from '../../support/waitFor.ts';

// The loop's pacing: catching up reads back to back; live, a storm of wake-ups (a busy log) is read
// at most once per `liveReadGapMs`, and nothing that was announced is left unread.

const event = (position: bigint): StoredEvent =>
  ({ position, eventId: `e${position}`, type: 'Something', schemaVersion: 1, data: {}, metadata: {} }) as unknown as StoredEvent;

/** A log of `backlog` events to catch up on, then one more per `append()`; counts the reads. */
const fakeLog = (backlog: number, batch: number) => {
  let head = BigInt(backlog);
  let reads = 0;
  let wake: () => void = () => undefined;
  const read = (after: bigint | null): Promise<BatchRead> => {
    reads++;
    const from = (after ?? 0n) + 1n;
    const to = head < from + BigInt(batch) - 1n ? head : from + BigInt(batch) - 1n;
    const events: StoredEvent[] = [];
    for (let position = from; position <= to; position++) events.push(event(position));
    return Promise.resolve({ events, checkpoint: to >= from ? to : (after ?? head), caughtUp: to === head, pending: false });
  };
  return {
    read,
    listen: (w: () => void) => {
      wake = w;
      return () => undefined;
    },
    append: () => {
      head++;
      wake();
    },
    reads: () => reads,
    head: () => head,
  };
};

const consume = (subscription: ReturnType<typeof subscriptionLoop>) => {
  const seen: bigint[] = [];
  const done = (async () => {
    for await (const batch of subscription) seen.push(...batch.events.map((e) => e.position));
  })();
  return { seen, done };
};

describe('the subscription loop', () => {
  it('catches up without pausing between full batches', async () => {
    const log = fakeLog(1_000, 10);
    const subscription = subscriptionLoop({ fromPosition: 'start', read: log.read, listen: log.listen, liveReadGapMs: 200 });
    const started = performance.now();
    const { seen, done } = consume(subscription);
    await waitFor(() => seen.length === 1_000);
    // 100 batches: with a pause of the live gap between them this would take 20 s.
    expect(performance.now() - started).to.be.below(2_000);
    await subscription.close();
    await done;
  });

  it('reads a storm of wake-ups at most once per gap when live, and misses no event', async () => {
    const log = fakeLog(0, 1_000);
    const subscription = subscriptionLoop({ fromPosition: 'start', read: log.read, listen: log.listen, liveReadGapMs: 50 });
    const { seen, done } = consume(subscription);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const readsBefore = log.reads();
    const started = performance.now();
    while (performance.now() - started < 200) {
      log.append();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await waitFor(() => seen.length === Number(log.head()));
    // Some 200 wake-ups in 200 ms: about 5 reads at one per 50 ms (a few more at the edges), not 200.
    expect(log.reads() - readsBefore).to.be.within(2, 9);
    expect(seen).to.deep.equal(Array.from({ length: Number(log.head()) }, (_, n) => BigInt(n + 1)));
    await subscription.close();
    await done;
  });

  it('reads at every wake-up without a gap', async () => {
    const log = fakeLog(0, 1_000);
    const subscription = subscriptionLoop({ fromPosition: 'start', read: log.read, listen: log.listen });
    const { seen, done } = consume(subscription);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const readsBefore = log.reads();
    for (let n = 0; n < 30; n++) {
      log.append();
      await waitFor(() => seen.length === n + 1);
    }
    expect(log.reads() - readsBefore).to.be.at.least(30);
    await subscription.close();
    await done;
  });

  it('reads again from the same position after a read fails with an error the adapter calls retryable', async () => {
    const log = fakeLog(5, 2);
    let failures = 0;
    const cut = new Error('terminating connection due to administrator command');
    const subscription = subscriptionLoop({
      fromPosition: 'start',
      read: (after) => (after === 2n && failures++ < 2 ? Promise.reject(cut) : log.read(after)),
      listen: log.listen,
      retryable: (error) => error === cut,
    });
    const { seen } = consume(subscription);
    await waitFor(() => seen.length >= 5, 5_000);
    await subscription.close();
    expect(seen).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    expect(failures).to.equal(3);
  });

  it('ends with the error when a read fails otherwise', async () => {
    const log = fakeLog(5, 2);
    const bug = new Error('not a connection problem');
    const subscription = subscriptionLoop({
      fromPosition: 'start',
      read: (after) => (after === 2n ? Promise.reject(bug) : log.read(after)),
      listen: log.listen,
      retryable: () => false,
    });
    const { seen, done } = consume(subscription);
    expect(await done.catch((error: unknown) => error)).to.equal(bug);
    expect(seen).to.deep.equal([1n, 2n]);
  });
});
