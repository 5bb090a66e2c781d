import type { EventStore } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { feedEventTypes, messageOf, type FeedMessage } from './messages.ts';

export interface FeedFollower {
  /** Every event up to here has been dispatched. */
  readonly position: () => bigint;
  /** Resolves true once the position reaches `position`, false after `timeoutMs`. */
  readonly reached: (position: bigint, timeoutMs: number) => Promise<boolean>;
  readonly close: () => Promise<void>;
}

/**
 * Follows the log from `start`, dispatching each feed message of a batch and then moving the
 * position, all in one tick: whoever reads the position between two ticks knows that every message
 * up to it has been dispatched and no later one has. A failed read is retried from where it stopped.
 */
export const followFeedEvents = (
  store: Pick<EventStore, 'subscribeToAll'>,
  start: bigint,
  log: Logger,
  dispatch: (message: FeedMessage) => void,
): FeedFollower => {
  let position = start;
  let closing = false;
  let closeSubscription: (() => Promise<void>) | undefined;
  const waiters = new Set<{ readonly position: bigint; readonly resolve: (reached: boolean) => void }>();

  const following = (async () => {
    while (!closing) {
      const subscription = store.subscribeToAll({
        fromPosition: position < 0n ? 'start' : position,
        filter: { eventTypes: [...feedEventTypes] },
      });
      closeSubscription = subscription.close;
      try {
        for await (const batch of subscription) {
          for (const event of batch.events) {
            const message = messageOf(event);
            if (message !== undefined) dispatch(message);
          }
          position = batch.checkpoint;
          for (const waiter of waiters) {
            if (position < waiter.position) continue;
            waiters.delete(waiter);
            waiter.resolve(true);
          }
        }
      } catch (error) {
        if (!closing) log.error({ err: error }, 'the live feed lost the log; following it again in a second');
      } finally {
        await subscription.close();
      }
      if (!closing) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();

  return {
    position: () => position,
    reached: (target, timeoutMs) => {
      if (position >= target) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = {
          position: target,
          resolve: (reached: boolean) => {
            clearTimeout(timer);
            resolve(reached);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: async () => {
      closing = true;
      await closeSubscription?.();
      await following;
      for (const waiter of waiters) waiter.resolve(false);
      waiters.clear();
    },
  };
};
