import * as E from 'fp-ts/lib/Either.js';
import type { EventStore, StoredEvent, StreamName } from '../infrastructure/eventStore/eventStore.ts';
import { parseStreamName } from '../infrastructure/eventStore/streamName.ts';

// `audit stream <id>`: a stream's events in revision order. Through the event store port, so that it
// works on either adapter.

export type StreamLookup<T> =
  | { readonly outcome: 'invalid'; readonly reason: string }
  | { readonly outcome: 'unknown'; readonly stream: StreamName }
  | ({ readonly outcome: 'found'; readonly stream: StreamName } & T);

export interface StreamPage {
  readonly events: readonly StoredEvent[];
  /** The revision to read from for the next page; null on the last. */
  readonly nextRevision: bigint | null;
}

/** Names the stream, or says why the text is not a stream name. */
export const streamOf = (raw: string): E.Either<string, StreamName> => E.mapLeft((error: Error) => error.message)(parseStreamName(raw));

/** A page of the stream from `fromRevision`; every event when `limit` is undefined. */
export const streamEvents = async (
  store: EventStore,
  raw: string,
  options: { readonly fromRevision?: bigint; readonly limit?: number } = {},
): Promise<StreamLookup<StreamPage>> => {
  const named = streamOf(raw);
  if (E.isLeft(named)) return { outcome: 'invalid', reason: named.left };
  const stream = named.right;
  const fromRevision = options.fromRevision ?? 0n;
  const limit = options.limit;
  const events = await store.readStream(stream, { fromRevision, ...(limit === undefined ? {} : { maxCount: limit + 1 }) });
  if (events.length === 0) {
    // An empty page past the end of a stream that exists is not an unknown stream.
    const exists = fromRevision > 0n && (await store.readStream(stream, { maxCount: 1 })).length > 0;
    if (!exists) return { outcome: 'unknown', stream };
  }
  const page = limit === undefined ? events : events.slice(0, limit);
  const last = page[page.length - 1];
  const more = limit !== undefined && events.length > limit && last !== undefined;
  return { outcome: 'found', stream, events: page, nextRevision: more ? last.revision + 1n : null };
};
