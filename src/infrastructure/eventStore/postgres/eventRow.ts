import type { EventMetadata, JsonObject, StoredEvent, StreamName } from '../eventStore.ts';

/** A row of `events` as node-postgres returns it (bigint as text, json parsed). */
export interface EventRow {
  readonly position: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
  readonly hash: string;
  readonly recorded_at: Date;
}

export const toStoredEvent = (row: EventRow): StoredEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  data: row.data,
  metadata: row.metadata,
  // Only names that passed `parseStreamName` were ever written.
  streamName: row.stream_id as StreamName,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  hash: row.hash,
  recordedAt: row.recorded_at,
});
