import { END, EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from '../../logging/logger.ts';
import type { EventStore } from '../eventStore.ts';
import { liveSubscriptions } from '../liveSubscriptions.ts';
import { headPosition, readAllEvents } from './allReads.ts';
import { createAppender } from './appendToStream.ts';
import { drain, translateError } from './clientErrors.ts';
import type { EventStoreConnection } from './connectionString.ts';
import { warnOfForeignRecords } from './foreignRecords.ts';
import { readStreamEvents } from './streamReads.ts';
import { subscribeToAll } from './subscription.ts';

export type EventStoreDbEventStoreOptions = (
  | /** A client the caller owns: `close` leaves it open. */ { readonly client: EventStoreDBClient }
    /** A checked EVENTSTORE_URL (`connectionString.ts`); the store opens its clients and disposes of them on `close`. */
  | { readonly connection: EventStoreConnection }
) & {
  /** Where records of other writers found in FastFlix's streams are reported. */
  readonly log?: Logger;
  /** How long `ping` waits for an answer (the client itself sets no deadline on reads). */
  readonly pingDeadlineMs?: number;
};

/**
 * The event store on EventStoreDB, version 22.6 or later (stream reads carry positions from then on).
 * Streams map one to one; the parts of our envelope EventStoreDB has no field for travel in each
 * record's metadata (`recordedEvent.ts`); positions are commit positions (`positions.ts`).
 *
 * Differences from the PostgreSQL adapter, all from what EventStoreDB offers: it keeps no index by
 * event id, so a reused id is recognised only as a retry of the same append (an append with 'any'
 * finds itself among the stream's last events only, see `appendToStream.ts`) and never refused as a
 * duplicate from elsewhere; records of other writers on a shared server are passed over by every
 * read (`toStoredEvent`), with a warning when they sit in a stream named as ours.
 *
 * Stream reads and appends go to the leader. With `nodePreference` other than the leader the store
 * opens a second client for them: the client follows a NotLeader answer by moving its one connection
 * to the leader, which would take the subscriptions and reads of $all there too.
 */
export const createEventStoreDbEventStore = (options: EventStoreDbEventStoreOptions): EventStore => {
  const { reader, writer, owned } = openClients(options);
  const foreign = warnOfForeignRecords(options.log);
  const pingDeadlineMs = options.pingDeadlineMs ?? 2_000;
  const subscriptions = liveSubscriptions();
  let closed = false;
  return {
    appendToStream: createAppender(writer),
    readStream: (stream, readOptions) => readStreamEvents(writer, stream, readOptions, foreign),
    readAll: async (readOptions) => {
      try {
        return await readAllEvents(reader, readOptions);
      } catch (error) {
        throw translateError(error, 'reading $all');
      }
    },
    subscribeToAll: (subscribeOptions) => {
      if (closed) throw new Error('the event store is closed');
      return subscriptions.track(subscribeToAll(reader, subscribeOptions, { foreign, log: options.log }));
    },
    headPosition: async () => {
      try {
        return await headPosition(reader);
      } catch (error) {
        throw translateError(error, 'reading the head of $all');
      }
    },
    ping: async () => {
      for (const client of new Set([reader, writer])) {
        try {
          await drain(client.readAll({ fromPosition: END, direction: 'backwards', maxCount: 1 }), pingDeadlineMs, 'ping');
        } catch (error) {
          throw translateError(error, 'ping');
        }
      }
    },
    close: async () => {
      closed = true;
      // Subscriptions end quietly (their loops finish) before the clients under them go away.
      await subscriptions.closeAll();
      for (const client of owned) await client.dispose();
    },
  };
};

const openClients = (
  options: EventStoreDbEventStoreOptions,
): { reader: EventStoreDBClient; writer: EventStoreDBClient; owned: EventStoreDBClient[] } => {
  if ('client' in options) return { reader: options.client, writer: options.client, owned: [] };
  const reader = EventStoreDBClient.connectionString(options.connection.connectionString);
  const leader = leaderConnectionString(options.connection);
  if (leader === undefined) return { reader, writer: reader, owned: [reader] };
  const writer = EventStoreDBClient.connectionString(leader);
  return { reader, writer, owned: [reader, writer] };
};

/** For a cluster read from another node than the leader: the same connection string, asking for the leader. */
export const leaderConnectionString = ({ connectionString, options }: EventStoreConnection): string | undefined => {
  const cluster = options.dnsDiscover || options.hosts.length > 1;
  if (!cluster || options.nodePreference === undefined || options.nodePreference === 'leader') return undefined;
  return connectionString.replace(/([?&])node[-_]?preference=[^&]*/i, '$1nodePreference=leader');
};
