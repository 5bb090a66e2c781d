import pg from 'pg';
import { openPostgresEventStore, type TestEventStore } from './postgresTestStore.ts';
import { eventStoreConformance } from './conformance.ts';

const opened: TestEventStore[] = [];

eventStoreConformance('PostgreSQL', () => ({
  open: async () => {
    const store = await openPostgresEventStore();
    opened.push(store);
    return store.store;
  },
  teardown: async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  },
  // Every connection to the suite's databases (pools and the LISTEN connection), cut by the server.
  dropConnections: async () => {
    const admin = new pg.Client({ connectionString: opened[0]?.database.url.href });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ terminated: boolean }>(
        'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()',
        [opened.map((store) => store.database.url.pathname.slice(1))],
      );
      if (!rows.some((row) => row.terminated)) throw new Error('no connection was there to cut');
    } finally {
      await admin.end();
    }
  },
}));
