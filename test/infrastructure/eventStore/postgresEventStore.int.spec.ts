import { openPostgresEventStore, type TestEventStore } from './postgresTestStore.ts';
import { eventStoreConformance } from './conformance.ts';

let opened: TestEventStore | undefined;

eventStoreConformance('PostgreSQL', () => ({
  open: async () => {
    opened = await openPostgresEventStore();
    return opened.store;
  },
  teardown: async () => {
    await opened?.close();
  },
}));
