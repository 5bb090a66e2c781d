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
