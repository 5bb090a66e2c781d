import { BACKWARDS, END, FORWARDS, NotLeaderError, START, StreamNotFoundError } from '@eventstore/db-client';
import type {
  AppendResult as ClientAppendResult,
  AppendToStreamOptions,
  EventData,
  ReadRevision,
  ReadStreamOptions as ClientReadStreamOptions,
  RecordedEvent,
  ResolvedEvent,
} from '@eventstore/db-client';
import { StreamDeletedError } from '../errors.ts';
import type { ReadStreamOptions, StoredEvent, StreamName, StreamRevision } from '../eventStore.ts';
import { drain, translateError, type CancellableRead } from './clientErrors.ts';
import type { ForeignRecords } from './foreignRecords.ts';
import { toStoredEvent } from './recordedEvent.ts';

/**
 * What appends and stream reads need of the client (EventStoreDBClient has it): narrow, so that
 * the appender's logic can be tested on its own.
 */
export interface StreamClient {
  readonly readStream: (stream: string, options: ClientReadStreamOptions) => CancellableRead<ResolvedEvent>;
  readonly appendToStream: (stream: string, events: EventData[], options: AppendToStreamOptions) => Promise<ClientAppendResult>;
}

/** How long a read may wait for the server's next message before it counts as unavailable. */
export const readIdleMs = 10_000;

/**
 * Records of one stream as read, foreign ones included; none for a stream that does not exist.
 * Asks the leader: these reads decide appends and commands, which a follower's stale copy would
 * answer with false conflicts. Throws StreamDeletedError for a tombstoned stream.
 */
export const readStreamRecords = async (
  client: Pick<StreamClient, 'readStream'>,
  stream: StreamName,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> => {
  const backwards = options.direction === 'backwards';
  const from = options.fromRevision ?? (backwards ? 'end' : 'start');
  if (options.maxCount !== undefined && options.maxCount <= 0) return [];
  const fromRevision: ReadRevision = from === 'start' ? START : from === 'end' ? END : from;
  for (let attempt = 1; ; attempt++) {
    try {
      const reading = client.readStream(stream, {
        fromRevision,
        direction: backwards ? BACKWARDS : FORWARDS,
        requiresLeader: true,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      return (await drain(reading, readIdleMs, `reading ${stream}`)).flatMap((resolved) => resolved.event ?? []);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      // A follower answers NotLeader, and the client moves its connection to the leader: ask again there.
      if (error instanceof NotLeaderError && attempt < 3) continue;
      throw translateError(error, `reading ${stream}`, stream);
    }
  }
};

/**
 * See `toStoredEvent` for the records left out. A tombstoned stream reads as empty, as a stream
 * that never was does on every adapter.
 */
export const readStreamEvents = async (
  client: Pick<StreamClient, 'readStream'>,
  stream: StreamName,
  options: ReadStreamOptions = {},
  foreign?: ForeignRecords,
): Promise<StoredEvent[]> => {
  try {
    return (await readStreamRecords(client, stream, options)).flatMap((record) => {
      const event = toStoredEvent(record);
      if (event === undefined) foreign?.(record);
      return event ?? [];
    });
  } catch (error) {
    if (error instanceof StreamDeletedError) return [];
    throw error;
  }
};

export const currentRevision = async (
  client: Pick<StreamClient, 'readStream'>,
  stream: StreamName,
): Promise<StreamRevision | 'no_stream'> => {
  const [last] = await readStreamRecords(client, stream, { direction: 'backwards', maxCount: 1 });
  return last?.revision ?? 'no_stream';
};
