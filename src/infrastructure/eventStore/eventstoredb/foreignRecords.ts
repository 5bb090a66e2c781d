import type { RecordedEvent } from '@eventstore/db-client';
import type { Logger } from '../../logging/logger.ts';
import { isSystemRecord } from './recordedEvent.ts';
import { parseStreamName } from '../streamName.ts';
import * as E from 'fp-ts/lib/Either.js';

/** Told of each record a read passes over that is not EventStoreDB's own and not ours. */
export type ForeignRecords = (record: Pick<RecordedEvent, 'id' | 'streamId' | 'revision' | 'type'>) => void;

/**
 * Records of another writer are passed over by every read (they carry no schema version and no
 * hash). In a stream named as ours that is a fault worth a warning, once per record: someone wrote
 * to FastFlix's streams. Other applications' streams on a shared server are passed over quietly.
 */
export const warnOfForeignRecords = (log: Logger | undefined): ForeignRecords => {
  const warned = new Set<string>();
  return (record) => {
    if (log === undefined || isSystemRecord(record) || E.isLeft(parseStreamName(record.streamId))) return;
    const key = `${record.streamId}@${record.revision}`;
    if (warned.has(key) || warned.size > 10_000) return;
    warned.add(key);
    log.warn(
      { stream: record.streamId, revision: String(record.revision), eventId: record.id, type: record.type },
      'EventStoreDB: a record in a FastFlix stream was not written by FastFlix and is passed over by every read',
    );
  };
};
