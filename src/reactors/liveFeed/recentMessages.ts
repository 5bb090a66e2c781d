import type { FeedMessage } from './messages.ts';

/**
 * The feed's last messages in memory, so that a client reconnecting after a short drop catches up
 * without a read of the log: every message after `coveredFrom` up to the feed's position is here.
 */
export interface RecentMessages {
  readonly coveredFrom: () => bigint;
  readonly add: (message: FeedMessage) => void;
  /** Every message after `position`, in order; only valid when position >= coveredFrom(). */
  readonly after: (position: bigint) => readonly FeedMessage[];
}

export const recentMessages = (start: bigint, capacity: number): RecentMessages => {
  const messages: FeedMessage[] = [];
  let coveredFrom = start;
  return {
    coveredFrom: () => coveredFrom,
    add: (message) => {
      messages.push(message);
      if (messages.length > capacity) {
        // Evicted in bulk so that a busy feed does not shift the array at every message.
        const evicted = messages.splice(0, messages.length - capacity + Math.ceil(capacity / 10));
        coveredFrom = evicted[evicted.length - 1]?.position ?? coveredFrom;
      }
    },
    after: (position) => {
      // Binary search: positions increase along the array.
      let low = 0;
      let high = messages.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((messages[middle]?.position ?? 0n) <= position) low = middle + 1;
        else high = middle;
      }
      return messages.slice(low);
    },
  };
};
