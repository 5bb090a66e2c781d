import type pg from 'pg';
import type { EventStore } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { createEventNotifications } from '../../../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../../../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { createPool } from '../../../src/infrastructure/postgres/pool.ts';
import { createTestDatabase, testLog, type TestDatabase } from '../../support/postgresServer.ts';

export interface TestEventStore {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly database: TestDatabase;
  /** Another store on the same database with pools of its own, as another process would have. */
  readonly openPeer: () => Promise<{ store: EventStore; close: () => Promise<void> }>;
  readonly close: () => Promise<void>;
}

const open = (url: URL) => {
  const pool = createPool(url, 20, 'test');
  const notifications = createEventNotifications(pool, { connectionString: url.href, application_name: 'fastflix-test-listen' }, testLog);
  const store = createPostgresEventStore({ pool, notifications });
  return {
    store,
    pool,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
};

export const openPostgresEventStore = async (): Promise<TestEventStore> => {
  const database = await createTestDatabase();
  const main = open(database.url);
  const peers: { close: () => Promise<void> }[] = [];
  return {
    store: main.store,
    pool: main.pool,
    database,
    openPeer: () => {
      const peer = open(database.url);
      peers.push(peer);
      return Promise.resolve(peer);
    },
    close: async () => {
      await Promise.all(peers.map((peer) => peer.close()));
      await main.close();
      await database.drop();
    },
  };
};
