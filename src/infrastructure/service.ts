import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import type { Config } from './config/config.ts';
import type { EventStore } from './eventStore/eventStore.ts';
import { createEventStoreDbEventStore } from './eventStore/eventstoredb/eventStoreDbEventStore.ts';
import { createEventNotifications } from './eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from './eventStore/postgres/postgresEventStore.ts';
import { createHttpApp } from './http/app.ts';
import { operationsRoutes, type ReadinessCheck } from './http/health.ts';
import { listen } from './http/server.ts';
import type { Logger } from './logging/logger.ts';
import { createMetrics } from './metrics/metrics.ts';
import { openDatabaseServer } from './postgres/database.ts';
import { migrate } from './postgres/migrate.ts';
import { createPool } from './postgres/pool.ts';
import { eventStoreCheck, mongodbCheck, postgresCheck, redisCheck, smtpCheck } from './readinessChecks.ts';

export interface RunningService {
  readonly port: number;
  readonly databaseUrl: URL;
  readonly eventStore: EventStore;
  /** Graceful: stop accepting, finish in-flight requests, close pools, stop embedded PostgreSQL. */
  readonly stop: () => Promise<void>;
}

/**
 * The composition root: builds every adapter from the configuration, wires them to the HTTP routes,
 * and knows how to take it all down again in reverse order.
 */
export const startService = async (config: Config, log: Logger): Promise<RunningService> => {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => log.warn({ err: error }, 'error while shutting down'));
    }
  };
  try {
    const database = await openDatabaseServer(config, log);
    closers.push(database.stop);
    await migrate(database.url, log);
    const pool = createPool(database.url, config.database.poolSize, 'api');
    closers.push(() => pool.end());

    const eventStore =
      config.eventStoreUrl === undefined
        ? createPostgresEventStore({
            pool,
            notifications: createEventNotifications(
              pool,
              { connectionString: database.url.href, application_name: 'fastflix-listen' },
              log,
            ),
          })
        : createEventStoreDbEventStore({ connectionString: config.eventStoreUrl.href });
    closers.push(() => eventStore.close());

    const checks: ReadinessCheck[] = [
      postgresCheck(pool),
      eventStoreCheck(eventStore, config.eventStoreUrl === undefined ? 'postgres' : 'eventstoredb'),
    ];
    if (config.redisUrl !== undefined) {
      const redis = new Redis(config.redisUrl.href, { lazyConnect: false, maxRetriesPerRequest: 1 });
      redis.on('error', (error) => log.debug({ err: error }, 'redis connection error'));
      closers.push(() => redis.quit());
      checks.push(redisCheck(redis));
    }
    if (config.mongodbUrl !== undefined) {
      const mongo = new MongoClient(config.mongodbUrl.href, { serverSelectionTimeoutMS: 2_000 });
      closers.push(() => mongo.close());
      checks.push(mongodbCheck(mongo));
    }
    if (config.smtpUrl !== undefined) checks.push(smtpCheck(config.smtpUrl));

    const metrics = createMetrics();
    const app = createHttpApp({ log, metrics, routers: [operationsRoutes(checks, metrics)] });
    const server = await listen(app, { ...config.http, log });
    closers.push(server.close);
    log.info({ port: server.port, embeddedPostgres: database.embedded }, 'FastFlix is listening');

    return { port: server.port, databaseUrl: database.url, eventStore, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
