import type pg from 'pg';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamName,
} from '../eventStore.ts';
import { checkAppend } from '../checkAppend.ts';
import { encodeEvent } from '../envelope.ts';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors.ts';
import { subscriptionLoop, type BatchRead } from '../subscriptionLoop.ts';
import type { EventNotifications } from './notifications.ts';
import { toStoredEvent, type EventRow } from './eventRow.ts';
import * as statements from './statements.ts';

export interface PostgresEventStoreOptions {
  readonly pool: pg.Pool;
  readonly notifications: EventNotifications;
  /** Events per read while catching up. */
  readonly batchSize?: number;
}

// The schema and the reasoning behind positions are in migrations/0001_event-store.sql.
export const createPostgresEventStore = ({ pool, notifications, batchSize = 1_000 }: PostgresEventStoreOptions): EventStore => {
  const appendToStream = async (
    stream: string,
    events: Parameters<EventStore['appendToStream']>[1],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> => {
    const checked = checkAppend(stream, events, options?.expectedRevision);
    const encoded = checked.events.map((event) => encodeEvent(checked.stream, event));
    try {
      const result = await pool.query<{ outcome: string; revision: string; last_position: string | null }>({
        name: 'fastflix_append',
        text: statements.append,
        values: [
          checked.stream,
          expectedRevisionCode(checked.expectedRevision),
          checked.events.map((event) => event.eventId),
          checked.events.map((event) => event.type),
          checked.events.map((event) => event.schemaVersion),
          encoded.map((event) => event.dataJson),
          encoded.map((event) => event.metadataJson),
          encoded.map((event) => event.digest),
        ],
      });
      const row = result.rows[0];
      if (row === undefined) throw new Error('append_to_stream returned no row');
      const appended = row.outcome === 'appended' && checked.events.length > 0;
      if (appended) notifications.announce();
      return {
        nextExpectedRevision: BigInt(row.revision),
        position: row.last_position === null ? null : BigInt(row.last_position),
        appended,
      };
    } catch (error) {
      throw translate(error, checked.stream, checked.expectedRevision);
    }
  };

  const readStream = async (stream: StreamName, options: ReadStreamOptions = {}): Promise<StoredEvent[]> => {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const revision = from === 'start' ? -1n : from === 'end' ? BigInt(Number.MAX_SAFE_INTEGER) : from;
    const result = await pool.query<EventRow>({
      name: backwards ? 'fastflix_read_stream_backwards' : 'fastflix_read_stream_forwards',
      text: backwards ? statements.readStreamBackwards : statements.readStreamForwards,
      values: [stream, revision, options.maxCount ?? null],
    });
    return result.rows.map(toStoredEvent);
  };

  const readAll = async (options: ReadAllOptions = {}): Promise<StoredEvent[]> => {
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    const position = from === 'start' ? -1n : from === 'end' ? null : from;
    const result = await pool.query<EventRow>({
      name: backwards ? 'fastflix_read_all_backwards' : 'fastflix_read_all_forwards',
      text: backwards ? statements.readAllBackwards : statements.readAllForwards,
      values: [position, options.maxCount ?? null],
    });
    return result.rows.map(toStoredEvent);
  };

  const readBatch = async (after: Position | null, filter: EventFilter | undefined, maxCount: number): Promise<BatchRead> => {
    const result = await pool.query<EventRow & { safe_head: string | null; pending: boolean }>({
      name: 'fastflix_read_batch',
      text: statements.readBatch,
      values: [
        after ?? -1n,
        maxCount,
        filter !== undefined && 'eventTypes' in filter ? filter.eventTypes : null,
        filter !== undefined && 'streamPrefixes' in filter ? filter.streamPrefixes.map(likePrefix) : null,
      ],
    });
    // The query always answers one row at least, carrying the horizon figures; `position` is null
    // on it when no event matched.
    const first = result.rows[0];
    const events = result.rows.filter((row) => row.position !== null).map(toStoredEvent);
    const safeHead = first?.safe_head == null ? null : BigInt(first.safe_head);
    const full = events.length === maxCount;
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: full && last !== undefined ? last.position : safeHead,
      caughtUp: !full,
      pending: first?.pending ?? false,
    };
  };

  return {
    appendToStream,
    readStream,
    readAll,
    subscribeToAll: (options) =>
      subscriptionLoop({
        fromPosition: options.fromPosition,
        read: (after) => readBatch(after, options.filter, options.maxBatchSize ?? batchSize),
        listen: notifications.subscribe,
      }),
    headPosition: async () => {
      const result = await pool.query<{ head: string | null }>({ name: 'fastflix_head', text: statements.head });
      const head = result.rows[0]?.head;
      return head == null ? null : BigInt(head);
    },
    ping: async () => {
      await pool.query('SELECT 1 FROM events LIMIT 1');
    },
    close: () => notifications.close(),
  };
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

const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

const translate = (error: unknown, stream: StreamName, expected: ExpectedRevision): unknown => {
  if (!(error instanceof Error) || !('code' in error)) return error;
  switch (error.code) {
    case 'FF409': {
      const actual = 'detail' in error && typeof error.detail === 'string' ? actualRevision(error.detail) : undefined;
      return new WrongExpectedRevisionError(stream, expected, actual ?? 'no_stream');
    }
    case 'FF410':
      return new DuplicateEventIdError(stream);
    case '23505':
      // An event id already used by an event of another stream.
      return new DuplicateEventIdError(stream);
    default:
      return error;
  }
};

const actualRevision = (detail: string): bigint | 'no_stream' | undefined => {
  const parsed: unknown = JSON.parse(detail);
  if (typeof parsed !== 'object' || parsed === null || !('actual' in parsed) || typeof parsed.actual !== 'string') return undefined;
  const actual = BigInt(parsed.actual);
  return actual < 0n ? 'no_stream' : actual;
};
