import type { Position, StoredEvent, Subscription, SubscriptionBatch } from './eventStore.ts';
import { createWakeSignal } from './wakeSignal.ts';

/** One read of the log after a checkpoint, as an adapter answers it. */
export interface BatchRead {
  readonly events: readonly StoredEvent[];
  /** The position everything up to which has now been seen (null: nothing in the log yet). */
  readonly checkpoint: Position | null;
  readonly caughtUp: boolean;
  /**
   * Events exist that are not readable yet (their transaction, or an older one, is still open):
   * read again soon rather than waiting for the next notification.
   */
  readonly pending: boolean;
}

/**
 * A live read (the subscriber has caught up and was woken): any read of the log that began at or
 * after `since` (performance.now()) sees everything this subscriber was told about, so an adapter may
 * answer it from such a read made for another subscriber.
 */
export interface LiveRead {
  readonly since: number;
}

export interface SubscriptionLoopOptions {
  readonly fromPosition: Position | 'start';
  readonly read: (after: Position | null, live?: LiveRead) => Promise<BatchRead>;
  /** Registers the wake-up of this subscription with the adapter's notifications; returns the undo. */
  readonly listen: (wake: () => void) => () => void;
  /** How long to sleep when idle without a notification: a safety net, not the delivery path. */
  readonly idleWaitMs?: number;
  /**
   * Live, the least time between two reads. Woken by every commit, a subscriber of a busy log would
   * read once per commit, one event at a time or none it wants; several subscribers in a process
   * (each projector, each cache) multiply that. Spaced, each read takes what came meanwhile, for
   * at most this much delay. 0: read at every wake-up.
   */
  readonly liveReadGapMs?: number;
  /**
   * Whether a failed read is worth another try (the connection was cut, the server restarts): the
   * subscription then reads again from the same position after a pause, instead of ending.
   */
  readonly retryable?: (error: unknown) => boolean;
}

/** The pause before reading again after a failed read: 100 ms, doubling to at most 5 s. */
const retryDelayMs = (failures: number): number => Math.min(100 * 2 ** (failures - 1), 5_000);

/**
 * Catch-up-then-live delivery over an adapter that can read a batch after a position and tell when
 * something new may be there. Reads as fast as the consumer takes batches while behind; sleeps on
 * notifications once caught up.
 */
export const subscriptionLoop = (options: SubscriptionLoopOptions): Subscription => {
  const signal = createWakeSignal();
  const gap = options.liveReadGapMs ?? 0;
  let closed = false;

  async function* batches(): AsyncGenerator<SubscriptionBatch> {
    let wokenAt = Number.NEGATIVE_INFINITY;
    const unlisten = options.listen(() => {
      wokenAt = performance.now();
      signal.wake();
    });
    let after = options.fromPosition === 'start' ? null : options.fromPosition;
    let pendingWaitMs = 1;
    let lastLiveRead = Number.NEGATIVE_INFINITY;
    let live = false;
    /** Reads failed in a row. */
    let failures = 0;
    // What a live read must be at least as fresh as: the last wake-up; or, after waiting out a
    // pending transaction or the idle timeout (a notification may have been lost), now.
    let freshSince = Number.NEGATIVE_INFINITY;
    try {
      while (!closed) {
        if (live && gap > 0) {
          // At least a gap after the last read, on a tick of a clock every subscriber shares, so that
          // the subscribers of one process woken by the same commits read at the same moment (and
          // can share the read).
          const now = performance.now();
          const tick = Math.ceil(Math.max(now, lastLiveRead + gap) / gap) * gap;
          if (tick > now) await new Promise((resolve) => setTimeout(resolve, tick - now));
          if (closed) break;
          lastLiveRead = performance.now();
        }
        let batch: BatchRead;
        try {
          batch = await options.read(after, live ? { since: Math.max(wokenAt, freshSince) } : undefined);
          failures = 0;
        } catch (error) {
          if (closed || options.retryable?.(error) !== true) throw error;
          await signal.wait(retryDelayMs(++failures));
          freshSince = performance.now();
          continue;
        }
        live = batch.caughtUp;
        const advanced = batch.checkpoint !== null && (after === null || batch.checkpoint > after);
        if (advanced && batch.checkpoint !== null) {
          after = batch.checkpoint;
          yield { events: batch.events, checkpoint: batch.checkpoint, caughtUp: batch.caughtUp };
          if (!batch.caughtUp) continue;
        }
        if (closed) break;
        // Something committed behind an open transaction: back off from 1 ms to 32 ms until it is readable.
        pendingWaitMs = batch.pending ? Math.min(pendingWaitMs * 2, 32) : 1;
        const wokenBefore = wokenAt;
        await signal.wait(batch.pending ? pendingWaitMs : (options.idleWaitMs ?? 5_000));
        if (batch.pending || wokenAt === wokenBefore) freshSince = performance.now();
      }
    } finally {
      unlisten();
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
