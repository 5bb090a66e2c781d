import type { EventStore } from '../../infrastructure/eventStore/eventStore.ts';
import { feedEventTypes, messageOf, type FeedMessage } from './messages.ts';

export type MissedRead = { readonly kind: 'read'; readonly messages: readonly FeedMessage[] } | { readonly kind: 'too-many' };

/**
 * The feed's messages after `after` up to `upTo` (both global positions), read from the log: what a
 * client missed before the feed's memory reaches back (after a restart of this process, or a long
 * drop). More than `window` events of the feed's types in between: the client must resync instead.
 */
export const missedFromLog = async (
  store: Pick<EventStore, 'subscribeToAll'>,
  after: bigint,
  upTo: bigint,
  window: number,
  wanted: (message: FeedMessage) => boolean,
): Promise<MissedRead> => {
  if (after >= upTo) return { kind: 'read', messages: [] };
  const subscription = store.subscribeToAll({
    fromPosition: after,
    filter: { eventTypes: [...feedEventTypes] },
    maxBatchSize: Math.min(1_000, window + 1),
  });
  const messages: FeedMessage[] = [];
  let seen = 0;
  try {
    for await (const batch of subscription) {
      for (const event of batch.events) {
        if (event.position > upTo) return { kind: 'read', messages };
        if (++seen > window) return { kind: 'too-many' };
        const message = messageOf(event);
        if (message !== undefined && wanted(message)) messages.push(message);
      }
      if (batch.checkpoint >= upTo) break;
    }
  } finally {
    await subscription.close();
  }
  return { kind: 'read', messages };
};
