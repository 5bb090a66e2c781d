import * as E from 'fp-ts/lib/Either.js';
import { jsonEvent } from '@eventstore/db-client';
import type { EventData, RecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, EventToAppend, JsonObject, Position, StoredEvent } from '../eventStore.ts';
import { parseStreamName } from '../streamName.ts';
import { fromEsdbPosition } from './positions.ts';

// How one of our events sits in an EventStoreDB record. The record has slots for the id, the type
// and the data (stored as JSON); the rest of our envelope goes into the record's free-form metadata,
// a JSON object:
//
//     { occurredAt, actorId, correlationId, causationId, bulk?, schemaVersion, hash }
//
// `hash` is the hex of the stream's hash chain at this event (envelope.ts): the appender computes it
// from the `hash` of the event before, so readers get it back without recomputing the chain.

type RecordMetadata = EventMetadata & { readonly schemaVersion: number; readonly hash: string };

export const toProposedEvent = (event: EventToAppend, hash: string): EventData => {
  const metadata: RecordMetadata = { ...event.metadata, schemaVersion: event.schemaVersion, hash };
  return jsonEvent({ id: event.eventId, type: event.type, data: event.data, metadata });
};

/**
 * The stored event a record holds, or undefined for a record this adapter did not write: one that is
 * not JSON, lies outside our stream naming, or lacks our metadata. Such records (EventStoreDB's own,
 * or another application's on a shared server) cannot be turned into a StoredEvent, having no schema
 * version and no hash, so readers pass over them rather than fail on them.
 */
export const toStoredEvent = (record: RecordedEvent): StoredEvent | undefined => {
  const streamName = parseStreamName(record.streamId);
  const data: unknown = record.data;
  const metadata: unknown = record.metadata;
  if (!record.isJson || E.isLeft(streamName) || !isJsonObject(data) || !isRecordMetadata(metadata)) return undefined;
  return {
    eventId: record.id.toLowerCase(),
    type: record.type,
    schemaVersion: metadata.schemaVersion,
    data,
    metadata: {
      occurredAt: metadata.occurredAt,
      actorId: metadata.actorId,
      correlationId: metadata.correlationId,
      causationId: metadata.causationId,
      ...(typeof metadata.bulk === 'boolean' ? { bulk: metadata.bulk } : {}),
    },
    streamName: streamName.right,
    revision: record.revision,
    position: positionOf(record),
    hash: metadata.hash,
    recordedAt: record.created,
  };
};

/** The hash chain at a record of ours; throws for a foreign record, which no chain can extend. */
export const chainedHashOf = (record: RecordedEvent): Buffer => {
  const metadata: unknown = record.metadata;
  if (!isRecordMetadata(metadata)) {
    throw new Error(`event ${record.id} of ${record.streamId} was not written by this event store: it carries no hash to chain to`);
  }
  return Buffer.from(metadata.hash, 'hex');
};

export const positionOf = (record: RecordedEvent): Position => {
  const position = fromEsdbPosition(record.position);
  if (position === undefined) {
    throw new Error(
      `EventStoreDB gave no position for event ${record.id} of ${record.streamId}: stream reads carry positions from version 22.6`,
    );
  }
  return position;
};

/** EventStoreDB's own events: system streams ($…) and system event types ($…, links `$>` included). */
export const isSystemRecord = (record: { readonly streamId: string; readonly type: string }): boolean =>
  record.streamId.startsWith('$') || record.type.startsWith('$');

// guards: the values come from JSON.parse, so a plain object is a JSON object all the way down

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

const isJsonObject = (value: unknown): value is JsonObject => isRecord(value);

const isRecordMetadata = (value: unknown): value is RecordMetadata =>
  isRecord(value) &&
  typeof value.occurredAt === 'string' &&
  typeof value.correlationId === 'string' &&
  (value.actorId === null || typeof value.actorId === 'string') &&
  (value.causationId === null || typeof value.causationId === 'string') &&
  typeof value.schemaVersion === 'number' &&
  Number.isInteger(value.schemaVersion) &&
  typeof value.hash === 'string' &&
  /^[0-9a-f]{64}$/.test(value.hash);
