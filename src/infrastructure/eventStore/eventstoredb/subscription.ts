import { START } from '@eventstore/db-client';
import type {
  AllStreamRecordedEvent,
  AllStreamResolvedEvent,
  AllStreamSubscription,
  EventStoreDBClient,
  Position as EsdbPosition,
} from '@eventstore/db-client';
import type { Position, SubscribeToAllOptions, Subscription, SubscriptionBatch } from '../eventStore.ts';
import { createWakeSignal } from '../wakeSignal.ts';
import { lastRecordBefore } from './allReads.ts';
import { createBatchQueue, type Passed } from './batchQueue.ts';
import { toEsdbPosition } from './positions.ts';
import { isSystemRecord, toStoredEvent } from './recordedEvent.ts';
import { firstMatchAfter, lastPassableAfter } from './lookAhead.ts';
import { serverFilter } from './serverFilter.ts';

// A catch-up subscription to $all, filtered on the server, turned into batches.
//
// Checkpoints. A batch's checkpoint is the position of an event passed: delivered, or left out (by
// the server's filter, or here, for records that are not ours). Beyond the events themselves it
// moves on two signals, since a selective filter can leave nothing to deliver for a long while:
// - the server's checkpoints, sent every so many events considered. They may be positions where no
//   event starts (even where the next one will be written), so each becomes the last event before it;
// - when nothing arrives for a while, a read of $all after the checkpoint: it moves past the events
//   read up to the first one the filter lets through, which the server delivers in its own time.
//
// Resuming. Servers differ in how they skip the checkpoint they are given: older ones skip the first
// event from it, newer ones the first event their filter lets through, searching up to
// `searchWindow` events ahead. After a checkpoint the filter left out, that is an event never
// delivered. So once the server has confirmed the subscription (it has skipped what it skips by
// then), a resumed subscription reads the events after the checkpoint, delivers the first one the
// filter lets through itself, and drops whatever the server sends up to it.

const minIdleMs = 100;
const maxIdleMs = 5_000;
/** How long a batch short of `maxBatchSize` waits for more events: they arrive one message each. */
const lingerMs = 10;

export const subscribeToAll = (client: EventStoreDBClient, options: SubscribeToAllOptions): Subscription => {
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 1_000);
  // Beyond this many events waiting, stop reading the server (live subscriptions the server drops
  // when the client lags too far behind, so the bound is generous).
  const highWater = Math.max(maxBatchSize * 10, 10_000);
  const signal = createWakeSignal();
  const queue = createBatchQueue();
  /** The last position taken into the queue: events up to it are never taken again. */
  let passed: Position | null = options.fromPosition === 'start' ? null : options.fromPosition;
  let lastActivity = Date.now();
  /** When the oldest event waiting in the queue arrived. */
  let waitingSince: number | undefined;
  let failure: { readonly error: unknown } | undefined;
  let closed = false;
  /** As the server last said, if it says (newer servers do). */
  let serverCaughtUp: boolean | undefined;
  let source: AllStreamSubscription | undefined;

  const enqueue = (item: Passed): void => {
    if (item.event !== undefined && queue.events() === 0) waitingSince = Date.now();
    queue.push(item);
    passed = item.position;
    lastActivity = Date.now();
    if (queue.length() >= highWater) source?.pause();
    signal.wake();
  };

  const accept = (record: AllStreamRecordedEvent): void => {
    const position = record.position.commit;
    if (passed !== null && position <= passed) return;
    const event = isSystemRecord(record) ? undefined : toStoredEvent(record);
    enqueue(event === undefined ? { position } : { position, event });
  };

  const fail = (error: unknown): void => {
    failure ??= { error };
    signal.wake();
  };

  /** The server's events, held until the one it may have skipped is found. */
  let held: AllStreamRecordedEvent[] | undefined = options.fromPosition === 'start' ? undefined : [];
  let resuming: Promise<void> | undefined;
  const resumed = (): Promise<void> => {
    const from = options.fromPosition;
    resuming ??= (async () => {
      if (from !== 'start') {
        const next = await firstMatchAfter(client, from, server);
        if (next !== undefined) accept(next);
      }
      const records = held ?? [];
      held = undefined;
      records.forEach(accept);
    })().catch(fail);
    return resuming;
  };

  const onCheckpoint = async (subscription: AllStreamSubscription, position: EsdbPosition): Promise<void> => {
    try {
      await resumed();
      // The client calls this while events read before the checkpoint may still sit in its buffer.
      while (!closed && subscription.readableLength > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      if (closed || (passed !== null && position.commit <= passed)) return;
      const before = await lastRecordBefore(client, position.commit);
      if (before !== undefined && (passed === null || before > passed)) enqueue({ position: before });
    } catch (error) {
      fail(error);
    }
  };

  const server = serverFilter(options.filter, onCheckpoint);

  const start = (): void => {
    const from = options.fromPosition;
    const subscription = client.subscribeToAll({ fromPosition: from === 'start' ? START : toEsdbPosition(from), filter: server.filter });
    source = subscription;
    subscription.on('confirmation', () => void resumed());
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      if (resolved.event === undefined) return;
      if (held === undefined) accept(resolved.event);
      else {
        held.push(resolved.event);
        void resumed();
      }
    });
    subscription.on('error', fail);
    // A catch-up subscription has no end of its own: the server or the connection went away.
    subscription.on('end', () => fail(new Error('EventStoreDB ended the subscription to $all')));
    subscription.on('caughtUp', () => {
      serverCaughtUp = true;
    });
    subscription.on('fellBehind', () => {
      serverCaughtUp = false;
    });
  };

  /** Moves the checkpoint past events the filter leaves out, up to the first it lets through. */
  const scanAhead = async (): Promise<void> => {
    const reached = await lastPassableAfter(client, () => passed, server, maxBatchSize);
    if (reached !== undefined && (passed === null || reached > passed)) enqueue({ position: reached });
  };

  const lingering = (): number => {
    const waiting = queue.events();
    return waiting === 0 || waiting >= maxBatchSize || waitingSince === undefined ? 0 : waitingSince + lingerMs - Date.now();
  };

  const takeBatch = (): SubscriptionBatch | undefined => {
    const taken = queue.take(maxBatchSize);
    // Events left over have waited long enough.
    waitingSince = queue.events() === 0 ? undefined : 0;
    if (source?.isPaused() === true && queue.length() < highWater / 2) source.resume();
    if (taken === undefined) return undefined;
    // Older servers never say whether they are caught up: then nothing buffered has to do.
    const buffered = queue.length() > 0 || (source?.readableLength ?? 0) > 0;
    return { ...taken, caughtUp: !buffered && serverCaughtUp !== false };
  };

  async function* batches(): AsyncGenerator<SubscriptionBatch> {
    let idleMs = minIdleMs;
    try {
      start();
      while (!closed) {
        const linger = lingering();
        if (linger > 0 && failure === undefined) {
          await signal.wait(linger);
          continue;
        }
        const batch = takeBatch();
        if (batch !== undefined) {
          if (batch.events.length > 0) idleMs = minIdleMs;
          yield batch;
          continue;
        }
        if (failure !== undefined) throw failure.error;
        await signal.wait(idleMs);
        if (closed || held !== undefined || queue.length() > 0 || Date.now() - lastActivity < idleMs) continue;
        // Quiet: scan soon after the last delivery, then ever more rarely (the server's checkpoints
        // keep a busy log moving; this is for the tail they leave behind).
        await scanAhead();
        idleMs = Math.min(idleMs * 2, maxIdleMs);
      }
    } finally {
      closed = true;
      // A subscription that never connected has already failed through its 'error' event.
      await source?.unsubscribe().catch(() => undefined);
    }
  }

  const iterator = batches();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: async () => {
      closed = true;
      signal.wake();
      await iterator.return(undefined);
    },
  };
};
