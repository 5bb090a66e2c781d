import type pg from 'pg';
import type { CheckedAppend } from '../checkAppend.ts';
import type { EncodedEvent } from '../envelope.ts';
import type { ExpectedRevision } from '../eventStore.ts';
import * as statements from './statements.ts';

/** What `append_events` answered for one append (see migrations/20261126070000000_event-store.sql). */
export interface AppendOutcome {
  readonly outcome: 'appended' | 'duplicate' | 'conflict' | 'duplicate_id';
  readonly revision: bigint;
  readonly lastPosition: bigint | null;
}

export interface GroupingOptions {
  /** Groups in flight at once; further appends wait and go together in the next group. */
  readonly maxGroupsInFlight?: number;
  readonly maxGroupEvents?: number;
  readonly maxGroupBytes?: number;
  /** Queued events that make a group worth sending at once, without waiting for the turn to end. */
  readonly eagerGroupEvents?: number;
}

interface Pending {
  readonly append: CheckedAppend;
  readonly encoded: readonly EncodedEvent[];
  readonly bytes: number;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit in the client: appends that arrive while others are in flight are sent together, in one
 * statement and one transaction, so that concurrent writers share round trips and commits. A lone
 * writer is never delayed: with nothing in flight, its append goes at once, alone.
 *
 * Each append keeps its own outcome (a conflict in one does not fail the others). Should the group's
 * statement fail as a whole (say, two groups creating one stream at once), each of its appends is
 * retried on its own, so every caller gets exactly its own answer. A lost connection is not retried:
 * its callers get the error, and the transaction left nothing behind.
 */
export const createGroupedAppends = (pool: pg.Pool, options: GroupingOptions = {}) => {
  const maxGroupsInFlight = options.maxGroupsInFlight ?? 4;
  const maxGroupEvents = options.maxGroupEvents ?? 2_000;
  const maxGroupBytes = options.maxGroupBytes ?? 4 * 2 ** 20;
  const eagerGroupEvents = options.eagerGroupEvents ?? 64;
  const queue: Pending[] = [];
  let queuedEvents = 0;
  let inFlight = 0;

  const flush = (): void => {
    while (inFlight < maxGroupsInFlight && queue.length > 0) {
      const group = takeGroup();
      inFlight++;
      void run(group, true).finally(() => {
        inFlight--;
        flush();
      });
    }
  };

  // When a group answers, its callers push their next appends one after another; sending the first
  // of them the moment a slot is free sends it alone (an import of 125,000 events went out in 11,000
  // statements, 10,900 of them with one stream). So while other groups are in flight, small appends
  // wait for the end of the event loop's turn and go together; an append with nothing in flight, or a
  // queue already worth a statement of its own, goes at once.
  let flushScheduled = false;
  const push = (pending: Pending): void => {
    queue.push(pending);
    queuedEvents += pending.encoded.length;
    if (inFlight === 0 || queuedEvents >= eagerGroupEvents) {
      flush();
      return;
    }
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      flush();
    });
  };

  const takeGroup = (): Pending[] => {
    const group: Pending[] = [];
    let events = 0;
    let bytes = 0;
    while (queue.length > 0) {
      const next = queue[0];
      if (next === undefined) break;
      const fits = events + next.encoded.length <= maxGroupEvents && bytes + next.bytes <= maxGroupBytes;
      if (group.length > 0 && !fits) break;
      queue.shift();
      queuedEvents -= next.encoded.length;
      group.push(next);
      events += next.encoded.length;
      bytes += next.bytes;
    }
    return group;
  };

  const run = async (group: readonly Pending[], mayRetryAlone: boolean, attempt = 0): Promise<void> => {
    // One lock order for every group: streams sorted by name (stable, so one stream's appends keep
    // their order), and concurrent groups cannot deadlock on each other's streams.
    const ordered = [...group].sort((a, b) => (a.append.stream < b.append.stream ? -1 : a.append.stream > b.append.stream ? 1 : 0));
    try {
      const result = await pool.query<{ outcome: AppendOutcome['outcome']; revision: string; last_position: string | null }>({
        name: 'fastflix_append_events',
        text: statements.appendEvents,
        values: parameters(ordered),
      });
      ordered.forEach((pending, index) => {
        const row = result.rows[index];
        if (row === undefined) pending.reject(new Error('append_events answered fewer rows than appends'));
        else
          pending.resolve({
            outcome: row.outcome,
            revision: BigInt(row.revision),
            lastPosition: row.last_position === null ? null : BigInt(row.last_position),
          });
      });
    } catch (error) {
      // A stream last written by a younger transaction (see 20261206050000000_stream-positions-in-revision-order.sql):
      // run again, in a new transaction, younger than the one that wrote it.
      if (isSerializationFailure(error) && attempt < maxSerializationRetries) {
        await run(group, mayRetryAlone, attempt + 1);
        return;
      }
      if (mayRetryAlone && ordered.length > 1 && isStatementError(error)) {
        await Promise.all(ordered.map((pending) => run([pending], false)));
        return;
      }
      ordered.forEach((pending) => pending.reject(error));
    }
  };

  return (append: CheckedAppend, encoded: readonly EncodedEvent[]): Promise<AppendOutcome> =>
    new Promise<AppendOutcome>((resolve, reject) => {
      const bytes = encoded.reduce((sum, event) => sum + event.dataJson.length + event.metadataJson.length, 0);
      push({ append, encoded, bytes, resolve, reject });
    });
};

/** The columns of `append_events`, filled in one pass (this runs for every event appended). */
const parameters = (group: readonly Pending[]): unknown[] => {
  const streams: string[] = [];
  const expected: bigint[] = [];
  const counts: number[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  const digests: Buffer[] = [];
  for (const { append, encoded } of group) {
    streams.push(append.stream);
    expected.push(expectedRevisionCode(append.expectedRevision));
    counts.push(append.events.length);
    append.events.forEach((event, index) => {
      const { dataJson, metadataJson, digest } = encoded[index] as EncodedEvent;
      ids.push(event.eventId);
      types.push(event.type);
      versions.push(event.schemaVersion);
      data.push(dataJson);
      metadata.push(metadataJson);
      digests.push(digest);
    });
  }
  return [streams, expected, counts, ids, types, versions, `[${data.join(',')}]`, `[${metadata.join(',')}]`, digests];
};

const expectedRevisionCode = (expected: ExpectedRevision): bigint => {
  switch (expected) {
    case 'no_stream':
      return -1n;
    case 'any':
      return -2n;
    case 'stream_exists':
      return -3n;
    default:
      return expected;
  }
};

/** The server refused the statement (it has a SQLSTATE); as opposed to a lost connection. */
/** How often a call that met a younger writer is run again; each run is younger than every writer before it. */
const maxSerializationRetries = 5;

const isSerializationFailure = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === '40001';

const isStatementError = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code);
