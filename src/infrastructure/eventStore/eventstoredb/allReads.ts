import { BACKWARDS, END, FORWARDS, START } from '@eventstore/db-client';
import type { AllStreamRecordedEvent, EventStoreDBClient, ReadPosition } from '@eventstore/db-client';
import type { Direction, Position, ReadAllOptions, StoredEvent } from '../eventStore.ts';
import { drain } from './clientErrors.ts';
import { toEsdbPosition } from './positions.ts';
import { readIdleMs } from './streamReads.ts';
import { isSystemRecord, toStoredEvent } from './recordedEvent.ts';

// Reads of $all. EventStoreDB reads forwards from a position inclusively (the event starting there
// comes first) but backwards from a post-position: reading backwards from an event's position
// yields the events before it, not the event itself. The port's positions are inclusive both ways,
// which takes a forward read of one for the event at the starting position of a backward read.

const pageSize = 1_000;

interface Page {
  readonly records: AllStreamRecordedEvent[];
  /** Entries the server sent, records or not: fewer than asked for means the end of $all. */
  readonly received: number;
}

export const readAllPage = async (
  client: EventStoreDBClient,
  from: ReadPosition,
  direction: Direction,
  maxCount: number,
): Promise<Page> => {
  const reading = client.readAll({ fromPosition: from, direction: direction === 'backwards' ? BACKWARDS : FORWARDS, maxCount });
  const resolved = await drain(reading, readIdleMs, 'reading $all');
  return { records: resolved.flatMap((entry) => entry.event ?? []), received: resolved.length };
};

/** The port's readAll: our events only (see `toStoredEvent`), paging past the records left out. */
export const readAllEvents = async (client: EventStoreDBClient, options: ReadAllOptions = {}): Promise<StoredEvent[]> => {
  const backwards = options.direction === 'backwards';
  const from = options.fromPosition ?? (backwards ? 'end' : 'start');
  const wanted = options.maxCount ?? Number.POSITIVE_INFINITY;
  const events: StoredEvent[] = [];
  const keep = (record: AllStreamRecordedEvent): void => {
    const event = events.length < wanted && !isSystemRecord(record) ? toStoredEvent(record) : undefined;
    if (event !== undefined) events.push(event);
  };
  if (wanted <= 0) return events;

  let cursor: ReadPosition = from === 'start' ? START : from === 'end' ? END : toEsdbPosition(from);
  if (backwards && typeof from === 'bigint') {
    const [atFrom] = (await readAllPage(client, cursor, 'forwards', 1)).records;
    if (atFrom !== undefined && atFrom.position.commit === from) keep(atFrom);
  }
  // A forward page resumed from the last record read starts with that record again.
  let repeated: Position | undefined;
  let size = 0;
  while (events.length < wanted) {
    // Start with what is missing; grow while system or foreign records take up the pages.
    size = Math.min(Math.max(wanted - events.length, size * 2), pageSize);
    const requested = size + (repeated === undefined ? 0 : 1);
    const page = await readAllPage(client, cursor, backwards ? 'backwards' : 'forwards', requested);
    for (const record of page.records) if (record.position.commit !== repeated) keep(record);
    const last = page.records[page.records.length - 1];
    if (page.received < requested || last === undefined) break;
    cursor = toEsdbPosition(last.position.commit);
    repeated = backwards ? undefined : last.position.commit;
  }
  return events;
};

/** Up to `maxCount` records of $all after `after` (exclusive), system and foreign ones included. */
export const readRecordsAfter = async (
  client: EventStoreDBClient,
  after: Position | null,
  maxCount: number,
): Promise<AllStreamRecordedEvent[]> => {
  if (after === null) return (await readAllPage(client, START, 'forwards', maxCount)).records;
  const { records } = await readAllPage(client, toEsdbPosition(after), 'forwards', maxCount + 1);
  return records.filter((record) => record.position.commit > after).slice(0, maxCount);
};

/** The position of the last record that ends at or before `position`, whatever its kind. */
export const lastRecordBefore = async (client: EventStoreDBClient, position: Position): Promise<Position | undefined> =>
  (await readAllPage(client, toEsdbPosition(position), 'backwards', 1)).records[0]?.position.commit;

/** How far back from the end of $all `headPosition` looks for an event of ours. */
export const headScanLimit = 4_096;

/**
 * The position of our last event, looked for among the last `headScanLimit` records of $all; when
 * none of those is ours (a burst of EventStoreDB's own or another writer's records), the position of
 * the last record, whatever it is: subscriptions pass over such records, so it is a checkpoint they
 * reach. Null only for an empty $all.
 */
export const headPosition = async (client: EventStoreDBClient): Promise<Position | null> => {
  let last: Position | undefined;
  let cursor: ReadPosition = END;
  let scanned = 0;
  for (let size = 16; scanned < headScanLimit; size = Math.min(size * 4, headScanLimit - scanned)) {
    const page = await readAllPage(client, cursor, 'backwards', size);
    scanned += page.received;
    for (const record of page.records) {
      last ??= record.position.commit;
      if (!isSystemRecord(record) && toStoredEvent(record) !== undefined) return record.position.commit;
    }
    const oldest = page.records[page.records.length - 1];
    if (page.received < size || oldest === undefined) break;
    // Backwards from a position reads the records before it, so the page does not repeat itself.
    cursor = toEsdbPosition(oldest.position.commit);
  }
  return last ?? null;
};
