import type { ExpectedRevision, StreamName, StreamRevision } from './eventStore.ts';

// Adapters translate their own failures into these, once, so that callers handle one vocabulary.

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: StreamName,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision, or 'no_stream'. */
    readonly actual: StreamRevision | 'no_stream',
  ) {
    super(`stream ${stream} is at ${String(actual)}, expected ${String(expected)}`);
  }
}

/**
 * Some of the event ids were appended to this stream before, but not as this same append (so it is no
 * retry). Ids are matched within a stream, as EventStoreDB does; they are not unique across streams.
 */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(readonly stream: StreamName) {
    super(`some events appended to ${stream} reuse ids of events appended before`);
  }
}

export class InvalidStreamNameError extends Error {
  override readonly name = 'InvalidStreamNameError';
  constructor(
    readonly streamName: string,
    readonly reason: string,
  ) {
    super(`invalid stream name ${JSON.stringify(streamName.slice(0, 80))}: ${reason}`);
  }
}

/** An event that cannot be stored as given: nothing of its append is written. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly eventType: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${eventType} event: ${problems.join('; ')}`);
  }
}

/** A stored event that cannot be read as any known version of its type. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
  constructor(
    readonly eventId: string,
    readonly eventType: string,
    readonly problems: readonly string[],
  ) {
    super(`stored ${eventType} event ${eventId} cannot be decoded: ${problems.join('; ')}`);
  }
}

/**
 * The event store cannot be reached, or did not answer in time: nothing is known to have been
 * written. A write failing so may be retried later with the same event ids (appends are idempotent).
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  /** What a caller may tell its own callers to wait before trying again. */
  readonly retryAfterSeconds = 2;
  constructor(reason: string, options?: { readonly cause?: unknown }) {
    super(`the event store is unavailable: ${reason}`, options);
  }
}

/** The event store refused the credentials it was given: a configuration fault, not the caller's. */
export class EventStoreAccessDeniedError extends Error {
  override readonly name = 'EventStoreAccessDeniedError';
  constructor(operation: string, options?: { readonly cause?: unknown }) {
    super(`the event store denied access to ${operation}: check the credentials in EVENTSTORE_URL`, options);
  }
}

/** The stream was deleted for good on the server (EventStoreDB's tombstone): nothing can be appended to it. */
export class StreamDeletedError extends Error {
  override readonly name = 'StreamDeletedError';
  constructor(readonly stream: StreamName) {
    super(`stream ${stream} was deleted for good (tombstoned) and takes no more events`);
  }
}
