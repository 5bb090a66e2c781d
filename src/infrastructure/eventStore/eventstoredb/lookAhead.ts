import type { AllStreamRecordedEvent, EventStoreDBClient } from '@eventstore/db-client';
import type { Position } from '../eventStore.ts';
import { readRecordsAfter } from './allReads.ts';
import { searchWindow, type ServerFilter } from './serverFilter.ts';

// Reads of $all beside a subscription, for what its server-side filter does not tell.

/**
 * The first event after `after` that the filter lets through, if it is near: the one a server may
 * skip when a subscription resumes from `after` (see `subscription.ts`). Twice the server's search
 * window covers every event it may skip.
 */
export const firstMatchAfter = async (
  client: EventStoreDBClient,
  after: Position,
  server: ServerFilter,
): Promise<AllStreamRecordedEvent | undefined> =>
  (await readRecordsAfter(client, after, 2 * searchWindow)).find((record) => server.matches(record));

/**
 * How far past `after` a subscription can move without missing anything: to the last event before
 * the first one the filter lets through (which the server delivers in its own time), among the next
 * `maxCount`. Undefined when it cannot move.
 */
export const lastPassableAfter = async (
  client: EventStoreDBClient,
  after: () => Position | null,
  server: ServerFilter,
  maxCount: number,
): Promise<Position | undefined> => {
  const records = await readRecordsAfter(client, after(), maxCount);
  // The subscription may have moved on while this read was out.
  const passed = after();
  let reached: Position | undefined;
  for (const record of records) {
    if (passed !== null && record.position.commit <= passed) continue;
    if (server.matches(record)) break;
    reached = record.position.commit;
  }
  return reached;
};
