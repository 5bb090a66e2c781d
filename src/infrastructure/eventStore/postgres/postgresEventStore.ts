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
import { createGroupedAppends, type GroupingOptions } from './groupedAppends.ts';
import { liveSubscriptions } from '../liveSubscriptions.ts';
import { isDatabaseUnreachable } from '../../postgres/unreachable.ts';
import { subscriptionLoop, type BatchRead, type LiveRead } from '../subscriptionLoop.ts';
import type { EventNotifications } from './notifications.ts';
import { toStoredEvent, type EventRow } from './eventRow.ts';
import * as statements from './statements.ts';

export interface PostgresEventStoreOptions {
  readonly pool: pg.Pool;
  readonly notifications: EventNotifications;
  /** Events per read while catching up. */
  readonly batchSize?: number;
  readonly grouping?: GroupingOptions;
  /** Live subscribers read at most once per this many ms (see subscriptionLoop); 10 by default. */
  readonly liveReadGapMs?: number;
}

// The schema and the reasoning behind positions are in migrations/20261126070000000_event-store.sql.
export const createPostgresEventStore = ({
  pool,
  notifications,
  batchSize = 1_000,
  grouping,
  liveReadGapMs = 10,
}: PostgresEventStoreOptions): EventStore => {
  const appendGrouped = createGroupedAppends(pool, grouping);

  const appendToStream = async (
    stream: string,
    events: Parameters<EventStore['appendToStream']>[1],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> => {
    const checked = checkAppend(stream, events, options?.expectedRevision);
    const result = await appendGrouped(
      checked,
      checked.events.map((event) => encodeEvent(checked.stream, event)),
    );
    switch (result.outcome) {
      case 'appended':
        if (checked.events.length > 0) notifications.announce();
        return { nextExpectedRevision: result.revision, position: result.lastPosition, appended: checked.events.length > 0 };
      case 'duplicate':
        return { nextExpectedRevision: result.revision, position: result.lastPosition, appended: false };
      case 'conflict':
        throw new WrongExpectedRevisionError(
          checked.stream,
          checked.expectedRevision,
          result.revision < 0n ? 'no_stream' : result.revision,
        );
      case 'duplicate_id':
        throw new DuplicateEventIdError(checked.stream);
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
    const last = events[events.length - 1];
    if (events.length === maxCount && last !== undefined) {
      return { events, checkpoint: last.position, caughtUp: false, pending: false };
    }
    // Fewer than asked: every matching event below the horizon has been read, so the checkpoint can
    // move to the last position below it, past whatever the filter left out.
    const safeHead = first?.safe_head == null ? null : BigInt(first.safe_head);
    return { events, checkpoint: safeHead ?? last?.position ?? null, caughtUp: true, pending: first?.pending ?? false };
  };

  // Live subscribers of this process (every projector, every cache) are woken by the same commits
  // and mostly stand at the same position: one unfiltered read from there serves them all, each
  // taking its own events from it, instead of one query per subscriber per wake-up.
  const sharedReads = new Map<Position, { readonly startedAt: number; readonly result: Promise<BatchRead> }>();
  const startSharedRead = (key: Position, after: Position | null) => {
    const started = { startedAt: performance.now(), result: readBatch(after, undefined, batchSize) };
    sharedReads.delete(key);
    sharedReads.set(key, started);
    if (sharedReads.size > maxSharedReads) sharedReads.delete(sharedReads.keys().next().value ?? key);
    started.result.catch(() => {
      if (sharedReads.get(key) === started) sharedReads.delete(key);
    });
    return started;
  };
  const readShared = async (after: Position | null, wanted: Matcher | undefined, maxCount: number, live: LiveRead): Promise<BatchRead> => {
    const key = after ?? -1n;
    const known = sharedReads.get(key);
    const entry = known !== undefined && known.startedAt >= live.since ? known : startSharedRead(key, after);
    return narrow(await entry.result, wanted, maxCount);
  };

  const subscriptions = liveSubscriptions();
  return {
    appendToStream,
    readStream,
    readAll,
    subscribeToAll: (options) => {
      const maxCount = options.maxBatchSize ?? batchSize;
      const wanted = options.filter === undefined ? undefined : matcher(options.filter);
      return subscriptions.track(
        subscriptionLoop({
          fromPosition: options.fromPosition,
          read: (after, live) =>
            live === undefined ? readBatch(after, options.filter, maxCount) : readShared(after, wanted, maxCount, live),
          listen: notifications.subscribe,
          liveReadGapMs,
          retryable: isDatabaseUnreachable,
        }),
      );
    },
    headPosition: async () => {
      const result = await pool.query<{ head: string | null }>({ name: 'fastflix_head', text: statements.head });
      const head = result.rows[0]?.head;
      return head == null ? null : BigInt(head);
    },
    ping: async () => {
      await pool.query('SELECT 1 FROM events LIMIT 1');
    },
    close: async () => {
      await subscriptions.closeAll();
      await notifications.close();
    },
  };
};

/** Positions whose shared read is kept: live subscribers are rarely more than a few reads apart. */
const maxSharedReads = 16;

type Matcher = (event: StoredEvent) => boolean;

/** A subscriber's part of an unfiltered read: its events, at most `maxCount` of them. */
const narrow = (all: BatchRead, wanted: Matcher | undefined, maxCount: number): BatchRead => {
  const events = wanted === undefined ? all.events : all.events.filter(wanted);
  if (events.length <= maxCount) return { ...all, events };
  const kept = events.slice(0, maxCount);
  const last = kept[kept.length - 1];
  return { events: kept, checkpoint: last?.position ?? all.checkpoint, caughtUp: false, pending: false };
};

/** What `readBatch` selects in SQL for a filter, in memory. */
const matcher = (filter: EventFilter): Matcher => {
  if ('eventTypes' in filter) {
    const types = new Set(filter.eventTypes);
    return (event) => types.has(event.type);
  }
  return (event) => filter.streamPrefixes.some((prefix) => event.streamName.startsWith(prefix));
};

const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
