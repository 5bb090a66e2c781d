import type pg from 'pg';
import { domainEventDefinitions, type DomainEvent } from '../../domain/events.ts';
import { analyzeLogIfStale, postgresEventCounter, type EventCounter } from '../../projections/runtime/postgresLog.ts';
import { eventRegistry, type EventRegistry } from '../eventStore/eventRegistry.ts';
import type { EventStore } from '../eventStore/eventStore.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import { openDatabaseServer } from '../postgres/database.ts';
import { migrate } from '../postgres/migrate.ts';
import { createPool } from '../postgres/pool.ts';
import type { CliContext } from './main.ts';

export interface ReadSide {
  readonly url: URL;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly registry: EventRegistry<DomainEvent>;
  readonly countEvents: EventCounter;
  /** Before reading the whole log: fresh planner statistics on the PostgreSQL event table. */
  readonly prepareFullRead: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/** The database (migrated), the event store and a counter of events, as the commands below need them. */
export const openReadSide = async ({ config, log }: CliContext, poolSize = 4): Promise<ReadSide> => {
  const database = await openDatabaseServer(config, log);
  const pool = createPool(database.url, poolSize, 'cli');
  const { store, kind } = await openEventStore(
    { eventStoreUrl: config.eventStoreUrl, secret: config.auth.jwtSecret },
    pool,
    database.url,
    log,
  );
  const close = async (): Promise<void> => {
    await store.close();
    await pool.end();
    await database.stop();
  };
  try {
    await migrate(database.url, log);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: database.url,
    pool,
    store,
    registry: eventRegistry(domainEventDefinitions),
    countEvents: kind === 'postgres' ? postgresEventCounter(pool) : () => Promise.resolve(undefined),
    prepareFullRead: async () => {
      if (kind === 'postgres') await analyzeLogIfStale(pool, log);
    },
    close,
  };
};
