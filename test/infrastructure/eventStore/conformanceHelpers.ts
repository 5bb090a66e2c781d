import { randomBytes, randomUUID } from 'node:crypto';
import type {
  EventToAppend,
  Position,
  StoredEvent,
  StreamName,
  SubscriptionBatch,
} from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';

// What the conformance cases share: fresh names, events, and ways to read a subscription with a timeout.

export const newCategory = (): string => `conf${randomBytes(5).toString('hex')}`;
export const newStream = (): StreamName => streamName(newCategory(), randomUUID());

export const event = (
  data: Record<string, unknown> = {},
  type = 'Happened',
  schemaVersion = 1,
  eventId: string = randomUUID(),
): EventToAppend => ({
  eventId,
  type,
  schemaVersion,
  data: data as EventToAppend['data'],
  metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: randomUUID(), causationId: null },
});

export const isStrictlyIncreasing = (positions: readonly Position[]): boolean =>
  positions.every((position, index) => index === 0 || position > (positions[index - 1] ?? position));

export const take = async (subscription: AsyncIterable<SubscriptionBatch>, count: number): Promise<SubscriptionBatch[]> => {
  const batches: SubscriptionBatch[] = [];
  for await (const batch of subscription) {
    batches.push(batch);
    if (batches.length >= count) break;
  }
  return batches;
};

export const collect = async (
  subscription: AsyncIterable<SubscriptionBatch> & { close: () => Promise<void> },
  count: number,
): Promise<StoredEvent[]> => {
  const events: StoredEvent[] = [];
  await withTimeout(
    (async () => {
      for await (const batch of subscription) {
        events.push(...batch.events);
        if (events.length >= count) break;
      }
    })(),
    10_000,
    () => `collected ${events.length} of ${count}`,
  );
  await subscription.close();
  return events;
};

/** Everything a subscription delivers until its checkpoint reaches `head`. */
export const collectUntil = async (
  subscription: AsyncIterable<SubscriptionBatch> & { close: () => Promise<void> },
  head: Position | null,
): Promise<{ events: StoredEvent[] }> => {
  const events: StoredEvent[] = [];
  await withTimeout(
    (async () => {
      for await (const batch of subscription) {
        events.push(...batch.events);
        if (head === null || batch.checkpoint >= head) break;
      }
    })(),
    10_000,
    () => `collected ${events.length} before timing out`,
  );
  await subscription.close();
  return { events };
};

export const withTimeout = <T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${describe()}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
