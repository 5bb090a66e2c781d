import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { EventRegistry } from './eventRegistry.ts';
import type { AppendResult, EventMetadata, EventStore, EventToAppend, ExpectedRevision, StreamName } from './eventStore.ts';

export interface TypedAppendOptions {
  readonly expectedRevision?: ExpectedRevision;
  readonly metadata: EventMetadata;
  /** Ids for the events, in order; random ones when not given. Deterministic ids make retries idempotent. */
  readonly eventIds?: readonly string[];
}

/**
 * Appends domain events after encoding each through its codec: if any of them fails, the whole append
 * is refused (InvalidEventError) and nothing reaches the store.
 */
export const appendTyped = async <Event extends { readonly type: string; readonly data: unknown }>(
  store: EventStore,
  registry: EventRegistry<Event>,
  stream: StreamName,
  events: readonly Event[],
  options: TypedAppendOptions,
): Promise<AppendResult> => {
  const toAppend: EventToAppend[] = events.map((event, index) => {
    const encoded = registry.encode(event);
    if (E.isLeft(encoded)) throw encoded.left;
    return { ...encoded.right, eventId: options.eventIds?.[index] ?? randomUUID(), metadata: options.metadata };
  });
  return store.appendToStream(stream, toAppend, { expectedRevision: options.expectedRevision ?? 'any' });
};
