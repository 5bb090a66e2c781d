import { EventStoreDBClient } from '@eventstore/db-client';
import { createEventStoreDbEventStore } from '../../../src/infrastructure/eventStore/eventstoredb/eventStoreDbEventStore.ts';
import { eventStoreConformance } from './conformance.ts';

// Runs against a real server only: EventStoreDB cannot be embedded, and a stand-in would prove
// nothing about it. The suite shares the server's log with whatever else is on it, as it allows.

let client: EventStoreDBClient | undefined;

eventStoreConformance('EventStoreDB', () => {
  const url = process.env.EVENTSTORE_URL;
  if (url === undefined || url === '') {
    return 'EVENTSTORE_URL is not set, so there is no EventStoreDB server to test against (set it to esdb://host:2113?tls=false to run this suite)';
  }
  return {
    open: () => {
      client = EventStoreDBClient.connectionString(url);
      return Promise.resolve(createEventStoreDbEventStore({ client }));
    },
    teardown: async () => {
      await client?.dispose();
    },
  };
});
