import type pg from 'pg';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import type { EventStore } from './eventStore.ts';
import { createEventStoreDbEventStore } from './eventstoredb/eventStoreDbEventStore.ts';
import { createEventNotifications } from './postgres/notifications.ts';
import { createPostgresEventStore } from './postgres/postgresEventStore.ts';

/** EventStoreDB when EVENTSTORE_URL is set; otherwise the event tables of the PostgreSQL database. */
export const openEventStore = (
  config: Pick<Config, 'eventStoreUrl'>,
  pool: pg.Pool,
  databaseUrl: URL,
  log: Logger,
): { store: EventStore; kind: 'postgres' | 'eventstoredb' } =>
  config.eventStoreUrl === undefined
    ? {
        kind: 'postgres',
        store: createPostgresEventStore({
          pool,
          notifications: createEventNotifications(pool, { connectionString: databaseUrl.href, application_name: 'fastflix-listen' }, log),
        }),
      }
    : { kind: 'eventstoredb', store: createEventStoreDbEventStore({ connectionString: config.eventStoreUrl.href }) };
