import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  Position,
  StoredEvent,
  StreamName,
  StreamRevision,
} from '../eventStore.ts';
import { checkAppend } from '../checkAppend.ts';
import { chainHash, encodeEvent, genesisHash } from '../envelope.ts';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.ts';
import { liveSubscriptions } from '../liveSubscriptions.ts';
import { subscriptionLoop } from '../subscriptionLoop.ts';

/**
 * The event store in memory, for fast tests of command handlers and projectors. Same contract as the
 * durable adapters (the conformance suite runs against it too), positions 1, 2, 3…
 */
export const createMemoryEventStore = (): EventStore => {
  const log: StoredEvent[] = [];
  const streams = new Map<StreamName, StoredEvent[]>();
  const byId = new Map<string, StoredEvent>();
  const wakers = new Set<() => void>();

  const appendNow = (
    stream: string,
    events: Parameters<EventStore['appendToStream']>[1],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): AppendResult => {
    const checked = checkAppend(stream, events, options?.expectedRevision);
    const existing = streams.get(checked.stream) ?? [];
    const current: StreamRevision | 'no_stream' = existing.length === 0 ? 'no_stream' : BigInt(existing.length - 1);
    const previous = previousAppend(
      checked.stream,
      checked.events.map((event) => event.eventId),
    );
    if (!matches(checked.expectedRevision, current)) {
      if (previous !== undefined && isRetryAt(previous, checked.expectedRevision)) return previous.result;
      throw new WrongExpectedRevisionError(checked.stream, checked.expectedRevision, current);
    }
    if (checked.events.length > 0 && checked.events.some((event) => byId.has(event.eventId))) {
      if (previous !== undefined && isRetryAt(previous, checked.expectedRevision)) return previous.result;
      throw new DuplicateEventIdError(checked.stream);
    }
    let hash: Buffer = existing.length === 0 ? genesisHash : Buffer.from(existing[existing.length - 1]?.hash ?? '', 'hex');
    const recordedAt = new Date();
    for (const event of checked.events) {
      hash = chainHash(hash, encodeEvent(checked.stream, event).digest);
      const stored: StoredEvent = {
        ...structuredClone(event),
        streamName: checked.stream,
        revision: BigInt(existing.length),
        position: BigInt(log.length + 1),
        hash: hash.toString('hex'),
        recordedAt,
      };
      existing.push(stored);
      log.push(stored);
      byId.set(stored.eventId, stored);
    }
    streams.set(checked.stream, existing);
    if (checked.events.length > 0) wakers.forEach((wake) => wake());
    const last = existing[existing.length - 1];
    return {
      nextExpectedRevision: last === undefined ? -1n : last.revision,
      position: checked.events.length === 0 || last === undefined ? null : last.position,
      appended: checked.events.length > 0,
    };
  };

  // A refusal must be a rejected promise, as with the durable adapters, never a synchronous throw.
  const appendToStream: EventStore['appendToStream'] = (stream, events, options) =>
    Promise.resolve().then(() => appendNow(stream, events, options));

  /** When every id names an event of this stream, in order and consecutively: that earlier append. */
  const previousAppend = (stream: StreamName, ids: readonly string[]): { first: StoredEvent; result: AppendResult } | undefined => {
    const found = ids.map((id) => byId.get(id));
    const first = found[0];
    const last = found[found.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const inOrder = found.every((event, index) => event?.streamName === stream && event.revision === first.revision + BigInt(index));
    return inOrder ? { first, result: { nextExpectedRevision: last.revision, position: last.position, appended: false } } : undefined;
  };

  const isRetryAt = (previous: { first: StoredEvent }, expected: ExpectedRevision): boolean =>
    expected === 'any' || expected === 'stream_exists' || previous.first.revision === (expected === 'no_stream' ? 0n : expected + 1n);

  const read = (after: Position | null, filter: EventFilter | undefined, maxCount: number) => {
    const start = after === null ? 0 : Number(after);
    const scanned = log.slice(start, start + maxCount);
    const last = scanned[scanned.length - 1];
    return Promise.resolve({
      events: scanned.filter((event) => passes(filter, event)),
      checkpoint: last?.position ?? after,
      caughtUp: start + scanned.length >= log.length,
      pending: false,
    });
  };

  const subscriptions = liveSubscriptions();
  return {
    appendToStream,
    readStream: (stream, options = {}) => {
      const events = streams.get(stream) ?? [];
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      const selected = backwards
        ? events.filter((event) => from === 'end' || (from !== 'start' && event.revision <= from)).reverse()
        : events.filter((event) => from === 'start' || (from !== 'end' && event.revision >= from));
      return Promise.resolve(selected.slice(0, options.maxCount ?? selected.length));
    },
    readAll: (options = {}) => {
      const backwards = options.direction === 'backwards';
      const from = options.fromPosition ?? (backwards ? 'end' : 'start');
      const selected = backwards
        ? log.filter((event) => from === 'end' || (from !== 'start' && event.position <= from)).reverse()
        : log.filter((event) => from === 'start' || (from !== 'end' && event.position >= from));
      return Promise.resolve(selected.slice(0, options.maxCount ?? selected.length));
    },
    subscribeToAll: (options) =>
      subscriptions.track(
        subscriptionLoop({
          fromPosition: options.fromPosition,
          read: (after) => read(after, options.filter, options.maxBatchSize ?? 1_000),
          listen: (wake) => {
            wakers.add(wake);
            return () => wakers.delete(wake);
          },
        }),
      ),
    headPosition: () => Promise.resolve(log[log.length - 1]?.position ?? null),
    ping: () => Promise.resolve(),
    close: () => subscriptions.closeAll(),
  };
};

const matches = (expected: ExpectedRevision, current: StreamRevision | 'no_stream'): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === 'no_stream';
    case 'stream_exists':
      return current !== 'no_stream';
    default:
      return current === expected;
  }
};

export const passes = (filter: EventFilter | undefined, event: StoredEvent): boolean => {
  if (filter === undefined) return true;
  if ('eventTypes' in filter) return filter.eventTypes.includes(event.type);
  return filter.streamPrefixes.some((prefix) => event.streamName.startsWith(prefix));
};
