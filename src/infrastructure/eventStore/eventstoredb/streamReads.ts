import { BACKWARDS, END, FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import type { EventStoreDBClient, ReadRevision, RecordedEvent } from '@eventstore/db-client';
import type { ReadStreamOptions, StoredEvent, StreamName, StreamRevision } from '../eventStore.ts';
import { toStoredEvent } from './recordedEvent.ts';

/** Records of one stream as read, foreign ones included; none for a stream that does not exist. */
export const readStreamRecords = async (
  client: EventStoreDBClient,
  stream: StreamName,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> => {
  const backwards = options.direction === 'backwards';
  const from = options.fromRevision ?? (backwards ? 'end' : 'start');
  if (options.maxCount !== undefined && options.maxCount <= 0) return [];
  const fromRevision: ReadRevision = from === 'start' ? START : from === 'end' ? END : from;
  const records: RecordedEvent[] = [];
  try {
    const reading = client.readStream(stream, {
      fromRevision,
      direction: backwards ? BACKWARDS : FORWARDS,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    for await (const resolved of reading) {
      if (resolved.event !== undefined) records.push(resolved.event);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return records;
};

/** See `toStoredEvent` for the records left out. */
export const readStreamEvents = async (
  client: EventStoreDBClient,
  stream: StreamName,
  options: ReadStreamOptions = {},
): Promise<StoredEvent[]> => (await readStreamRecords(client, stream, options)).flatMap((record) => toStoredEvent(record) ?? []);

export const currentRevision = async (client: EventStoreDBClient, stream: StreamName): Promise<StreamRevision | 'no_stream'> => {
  const [last] = await readStreamRecords(client, stream, { direction: 'backwards', maxCount: 1 });
  return last?.revision ?? 'no_stream';
};
