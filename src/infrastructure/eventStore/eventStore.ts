// The event store port: what commands, projectors and auditors need from an event log. Adapters:
// PostgreSQL event tables (the default), EventStoreDB, and memory (for fast handler tests). One
// conformance suite (test/infrastructure/eventStore/conformance.ts) holds all three to the same guarantees.

/** A stream's name, `<category>-<id>` (see `streamName.ts`). */
export type StreamName = string & { readonly StreamName: unique symbol };

/** Zero-based revision of an event within its stream. */
export type StreamRevision = bigint;

/**
 * Global order across all streams. Sparse (not every number is used) but strictly increasing in the
 * order readers see events, and gap-free for readers: nothing ever commits behind a position a reader
 * has passed.
 */
export type Position = bigint;

export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | StreamRevision;

export type { Json as JsonValue, JsonRecord as JsonObject } from '../../domain/shared/eventDefinition.ts';
import type { JsonRecord as JsonObject } from '../../domain/shared/eventDefinition.ts';

export interface EventMetadata {
  /** When the thing happened (ISO 8601), as the command said: imported history keeps its own time. */
  readonly occurredAt: string;
  /** Who caused it; null for the system. */
  readonly actorId: string | null;
  /** Shared by every event that stems from one request. */
  readonly correlationId: string;
  /** The event or command that directly caused this one. */
  readonly causationId: string | null;
  /** Appended by a bulk load (the MovieLens import, `demo`): reactors notify, broadcast and mail nobody for it. */
  readonly bulk?: boolean;
}

/** An event to append. `eventId` makes appends idempotent: a retry with the same ids is a no-op. */
export interface EventToAppend {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/** An event as stored: the data exactly as appended, at the schema version it was appended with. */
export interface StoredEvent extends EventToAppend {
  readonly streamName: StreamName;
  readonly revision: StreamRevision;
  readonly position: Position;
  /** SHA-256 (hex) chaining this event to the previous one of its stream (`envelope.ts`). */
  readonly hash: string;
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** The stream's revision after the append: the expected revision for the next one. */
  readonly nextExpectedRevision: StreamRevision;
  /** Position of the last event appended (or found, for an idempotent retry); null for an empty append. */
  readonly position: Position | null;
  /** False when every event had been appended before: nothing was written. */
  readonly appended: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive; defaults to the first event forwards and the last backwards. */
  readonly fromRevision?: StreamRevision | 'start' | 'end';
  readonly direction?: Direction;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive; defaults to the start forwards and the end backwards. */
  readonly fromPosition?: Position | 'start' | 'end';
  readonly direction?: Direction;
  readonly maxCount?: number;
}

/** Server-side filters; one kind at a time, as EventStoreDB allows. */
export type EventFilter = { readonly eventTypes: readonly string[] } | { readonly streamPrefixes: readonly string[] };

export interface SubscribeToAllOptions {
  /** Exclusive: a checkpoint, the position of the last event already handled. */
  readonly fromPosition: Position | 'start';
  readonly filter?: EventFilter;
  /** Upper bound on events per batch. */
  readonly maxBatchSize?: number;
}

export interface SubscriptionBatch {
  /** In position order, each event exactly once across the subscription's life. */
  readonly events: readonly StoredEvent[];
  /**
   * Everything up to here has been delivered (events a filter left out included), so a consumer that
   * stores it resumes after it. Moves forward even when `events` is empty.
   */
  readonly checkpoint: Position;
  /** No further events were committed, as far as this reader could see, when the batch was read. */
  readonly caughtUp: boolean;
}

/** Catch-up, then live. Iterate it; `close` (or breaking out of the loop) ends it. */
export interface Subscription extends AsyncIterable<SubscriptionBatch> {
  readonly close: () => Promise<void>;
}

export interface EventStore {
  readonly appendToStream: (
    stream: StreamName,
    events: readonly EventToAppend[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ) => Promise<AppendResult>;
  /** An empty array when the stream has no events. */
  readonly readStream: (stream: StreamName, options?: ReadStreamOptions) => Promise<StoredEvent[]>;
  readonly readAll: (options?: ReadAllOptions) => Promise<StoredEvent[]>;
  readonly subscribeToAll: (options: SubscribeToAllOptions) => Subscription;
  /** The position of the last event readers can see, or null for an empty store. */
  readonly headPosition: () => Promise<Position | null>;
  /** For `/readyz`: throws when the store cannot be reached. */
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;
}
