import { END, EventStoreDBClient } from '@eventstore/db-client';
import type { EventStore } from '../eventStore.ts';
import { headPosition, readAllEvents, readAllPage } from './allReads.ts';
import { createAppender } from './appendToStream.ts';
import { readStreamEvents } from './streamReads.ts';
import { subscribeToAll } from './subscription.ts';

export type EventStoreDbEventStoreOptions =
  /** A client the caller owns: `close` leaves it open. */
  | { readonly client: EventStoreDBClient }
  /** `esdb://host:2113?tls=false` and the like; the store opens the client and disposes of it on `close`. */
  | { readonly connectionString: string };

/**
 * The event store on EventStoreDB, version 22.6 or later (stream reads carry positions from then on).
 * Streams map one to one; the parts of our envelope EventStoreDB has no field for travel in each
 * record's metadata (`recordedEvent.ts`); positions are commit positions (`positions.ts`).
 *
 * Differences from the PostgreSQL adapter, all from what EventStoreDB offers: it keeps no index by
 * event id, so a reused id is recognised only as a retry of the same append (an append with 'any'
 * finds itself among the stream's last events only, see `appendToStream.ts`) and never refused as a
 * duplicate from elsewhere; records of other writers on a shared server are passed over by every
 * read (`toStoredEvent`).
 */
export const createEventStoreDbEventStore = (options: EventStoreDbEventStoreOptions): EventStore => {
  const ownsClient = !('client' in options);
  const client = 'client' in options ? options.client : EventStoreDBClient.connectionString(options.connectionString);
  return {
    appendToStream: createAppender(client),
    readStream: (stream, readOptions) => readStreamEvents(client, stream, readOptions),
    readAll: (readOptions) => readAllEvents(client, readOptions),
    subscribeToAll: (subscribeOptions) => subscribeToAll(client, subscribeOptions),
    headPosition: () => headPosition(client),
    ping: async () => {
      await readAllPage(client, END, 'backwards', 1);
    },
    close: async () => {
      if (ownsClient) await client.dispose();
    },
  };
};
