import type { Subscription } from './eventStore.ts';

/**
 * The subscriptions a store has handed out and that still run, so that closing the store ends them
 * first: their loops finish as if each had been closed, instead of failing later on a pool or client
 * that is gone.
 */
export interface LiveSubscriptions {
  readonly track: (subscription: Subscription) => Subscription;
  readonly closeAll: () => Promise<void>;
}

export const liveSubscriptions = (): LiveSubscriptions => {
  const live = new Set<Subscription>();
  return {
    track: (subscription) => {
      live.add(subscription);
      async function* batches() {
        try {
          yield* subscription;
        } finally {
          live.delete(subscription);
        }
      }
      const iterator = batches();
      return {
        [Symbol.asyncIterator]: () => iterator,
        close: async () => {
          live.delete(subscription);
          await subscription.close();
        },
      };
    },
    closeAll: async () => {
      const closing = [...live];
      live.clear();
      await Promise.all(closing.map((subscription) => subscription.close()));
    },
  };
};
