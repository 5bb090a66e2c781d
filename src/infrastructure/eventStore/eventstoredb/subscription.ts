import type { AllStreamRecordedEvent, EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from '../../logging/logger.ts';
import type { Position, SubscribeToAllOptions, Subscription, SubscriptionBatch } from '../eventStore.ts';
import { createWakeSignal } from '../wakeSignal.ts';
import { createBatchQueue, type Passed } from './batchQueue.ts';
import { translateError } from './clientErrors.ts';
import type { ForeignRecords } from './foreignRecords.ts';
import { fromEsdbPosition } from './positions.ts';
import { isSystemRecord, toStoredEvent } from './recordedEvent.ts';
import { resubscribeDelay, shouldResubscribe } from './resubscribing.ts';
import { clientSubscription, type LogReads, type OpenSource, type Source } from './subscriptionSource.ts';

// A catch-up subscription to $all, filtered on the server, turned into batches.
//
// Checkpoints. A batch's checkpoint is the position of an event passed: delivered, or left out (by
// the server's filter, or here, for records that are not ours). Beyond the events themselves it
// moves on two signals, since a selective filter can leave nothing to deliver for a long while:
// - the server's checkpoints, sent every so many events considered. They may be positions where no
//   event starts (even where the next one will be written), so each becomes the last event before it.
//   Some 24.10 builds send (2^64−1, 2^64−1) at the end of a catch-up that delivered nothing; taken as
//   "the last record before the end of the log", read later, it would pass events still on their way,
//   so it is ignored (as is every position that is no position);
// - when nothing arrives for a while, a read of $all after the checkpoint: it moves past the events
//   read up to the first one the filter lets through, which the server delivers in its own time.
//
// Resuming. Servers differ in how they skip the checkpoint they are given: older ones skip the first
// event from it, newer ones the first event their filter lets through, searching up to
// `searchWindow` events ahead. After a checkpoint the filter left out, that is an event never
// delivered. So once the server has confirmed the subscription (it has skipped what it skips by
// then), a resumed subscription reads the events after the checkpoint, delivers the first one the
// filter lets through itself, and drops whatever the server sends up to it. A call that fails or
// ends (connection lost, server restarted, "consumer too slow") is opened again the same way from
// the last position passed, after a pause, until the subscription is closed.
//
// Caught up. Servers from 23.10 say CaughtUp once, on going live (24.10 also after FellBehind),
// never during catch-up; older ones never. A batch is caught up when nothing received waits behind
// it and either the server said so on this call (and did not fall behind since) or the batch's
// checkpoint has reached the last record of $all.

const minIdleMs = 100;
const maxIdleMs = 5_000;
/** How long a batch short of `maxBatchSize` waits for more events: they arrive one message each. */
const lingerMs = 10;
/** How many records past the checkpoint a quiet subscription reads to move past what its filter leaves out. */
const scanWindow = 1_000;

export interface SubscriptionDependencies {
  readonly open: OpenSource;
  readonly reads: LogReads;
  readonly foreign?: ForeignRecords;
  readonly log?: Logger;
}

export const subscribeToAll = (
  client: EventStoreDBClient,
  options: SubscribeToAllOptions,
  extras: Pick<SubscriptionDependencies, 'foreign' | 'log'> = {},
): Subscription => subscribeWith({ ...clientSubscription(client, options.filter), ...extras }, options);

export const subscribeWith = (dependencies: SubscriptionDependencies, options: SubscribeToAllOptions): Subscription => {
  const { open, reads } = dependencies;
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
  /** The call open now; messages of earlier ones are ignored. */
  let call: Call | undefined;
  let lost: { readonly error: unknown; readonly attempt: number } | undefined;
  /** Ends the pause before resubscribing, for close. */
  let stopWaiting: (() => void) | undefined;

  interface Call {
    source?: Source;
    readonly from: Position | null;
    /** The server's events, held until the one it may have skipped is found; undefined once resumed. */
    held: AllStreamRecordedEvent[] | undefined;
    resuming: Promise<void> | undefined;
    /** The server said CaughtUp on this call and not FellBehind since. */
    live: boolean;
    attempt: number;
  }

  const enqueue = (item: Passed): void => {
    if (item.event !== undefined && queue.events() === 0) waitingSince = Date.now();
    queue.push(item);
    passed = item.position;
    lastActivity = Date.now();
    if (queue.length() >= highWater) call?.source?.pause();
    signal.wake();
  };

  const accept = (record: AllStreamRecordedEvent): void => {
    const position = record.position.commit;
    if (passed !== null && position <= passed) return;
    const event = isSystemRecord(record) ? undefined : toStoredEvent(record);
    if (event === undefined) dependencies.foreign?.(record);
    enqueue(event === undefined ? { position } : { position, event });
  };

  const drop = (of: Call, error: unknown): void => {
    if (closed || call !== of || lost !== undefined) return;
    if (!shouldResubscribe(error)) failure ??= { error };
    else lost = { error, attempt: of.attempt };
    signal.wake();
  };

  const resumed = (of: Call): Promise<void> => {
    of.resuming ??= (async () => {
      if (of.from !== null) {
        const next = await reads.firstMatchAfter(of.from);
        if (call !== of) return;
        if (next !== undefined) accept(next);
      }
      const records = of.held ?? [];
      of.held = undefined;
      records.forEach(accept);
    })().catch((error: unknown) => drop(of, error));
    return of.resuming;
  };

  const connect = (attempt: number): void => {
    const from = passed;
    const of: Call = { from, held: from === null ? undefined : [], resuming: undefined, live: false, attempt };
    call = of;
    const current = (): boolean => call === of && lost === undefined && !closed;
    of.source = open(from, {
      confirmation: () => {
        if (!current()) return;
        // A call the server took: the next loss is a new outage, its pauses start short again.
        of.attempt = 0;
        void resumed(of);
      },
      event: (record) => {
        if (!current()) return;
        if (of.held === undefined) accept(record);
        else {
          of.held.push(record);
          void resumed(of);
        }
      },
      checkpoint: async (esdbPosition) => {
        try {
          const position = fromEsdbPosition(esdbPosition);
          if (!current() || position === undefined) return;
          await resumed(of);
          // The client calls this while events read before the checkpoint may still sit in its buffer.
          while (current() && (of.source?.buffered() ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 1));
          if (!current() || (passed !== null && position <= passed)) return;
          const before = await reads.lastRecordBefore(position);
          if (current() && before !== undefined && (passed === null || before > passed)) enqueue({ position: before });
        } catch (error) {
          drop(of, error);
        }
      },
      caughtUp: () => {
        if (!current()) return;
        of.live = true;
        signal.wake();
      },
      fellBehind: () => {
        if (current()) of.live = false;
      },
      lost: (error) => drop(of, error),
    });
  };

  /** Unless closed meanwhile: the call lost is left, and another opened from the last position passed. */
  const reconnect = async (): Promise<void> => {
    const { error, attempt } = lost ?? { error: undefined, attempt: 0 };
    const delay = resubscribeDelay(attempt);
    dependencies.log?.warn(
      { err: error, retryInMs: delay, after: passed === null ? 'start' : String(passed) },
      'EventStoreDB subscription lost; resubscribing',
    );
    await call?.source?.unsubscribe().catch(() => undefined);
    // A timer, not the wake signal: a wake left over from the loss would cut the pause to nothing.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        stopWaiting = undefined;
        resolve();
      }
      stopWaiting = done;
    });
    if (closed) return;
    lost = undefined;
    connect(attempt + 1);
  };

  /** Moves the checkpoint past events the filter leaves out, up to the first it lets through. */
  const scanAhead = async (): Promise<void> => {
    // Records only are read, none delivered: a window wider than a batch moves a selective filter on sooner.
    const reached = await reads.lastPassableAfter(() => passed, Math.max(maxBatchSize, scanWindow));
    if (reached !== undefined && (passed === null || reached > passed)) enqueue({ position: reached });
  };

  const lingering = (): number => {
    const waiting = queue.events();
    return waiting === 0 || waiting >= maxBatchSize || waitingSince === undefined ? 0 : waitingSince + lingerMs - Date.now();
  };

  const behindUs = (): boolean =>
    queue.length() > 0 || call === undefined || call.held !== undefined || (call.source?.buffered() ?? 0) > 0 || lost !== undefined;

  const takeBatch = async (): Promise<SubscriptionBatch | undefined> => {
    const taken = queue.take(maxBatchSize);
    // Events left over have waited long enough.
    waitingSince = queue.events() === 0 ? undefined : 0;
    if (call?.source?.isPaused() === true && queue.length() < highWater / 2) call.source.resume();
    if (taken === undefined) return undefined;
    if (behindUs()) return { ...taken, caughtUp: false };
    if (call?.live === true) return { ...taken, caughtUp: true };
    const head = await reads.lastRecord().catch(() => undefined);
    return { ...taken, caughtUp: head !== undefined && taken.checkpoint >= head };
  };

  async function* batches(): AsyncGenerator<SubscriptionBatch> {
    let idleMs = minIdleMs;
    try {
      connect(0);
      while (!closed) {
        if (lost !== undefined && queue.length() === 0) {
          await reconnect();
          continue;
        }
        const linger = lingering();
        if (linger > 0 && failure === undefined) {
          await signal.wait(linger);
          continue;
        }
        const batch = await takeBatch();
        if (batch !== undefined) {
          if (batch.events.length > 0) idleMs = minIdleMs;
          yield batch;
          continue;
        }
        if (failure !== undefined) throw translateError(failure.error, 'subscribing to $all');
        await signal.wait(idleMs);
        if (closed || lost !== undefined || call?.held !== undefined || queue.length() > 0 || Date.now() - lastActivity < idleMs) continue;
        // Quiet: scan soon after the last delivery, then ever more rarely (the server's checkpoints
        // keep a busy log moving; this is for the tail they leave behind).
        await scanAhead().catch((error: unknown) => {
          if (!shouldResubscribe(error)) throw translateError(error, 'subscribing to $all');
        });
        idleMs = Math.min(idleMs * 2, maxIdleMs);
      }
    } finally {
      closed = true;
      // A subscription that never connected has already failed through its 'error' event.
      await call?.source?.unsubscribe().catch(() => undefined);
    }
  }

  const iterator = batches();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: async () => {
      closed = true;
      signal.wake();
      stopWaiting?.();
      await iterator.return(undefined);
    },
  };
};
