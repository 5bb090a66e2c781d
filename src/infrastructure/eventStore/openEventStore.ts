import * as E from 'fp-ts/lib/Either.js';
import type pg from 'pg';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import { StartupError } from '../postgres/database.ts';
import { tracedEventStore } from '../tracing/tracedEventStore.ts';
import type { EventStore } from './eventStore.ts';
import { emailReservationStreams } from '../personalData/emailReservationStreams.ts';
import { createPersonalDataKeys } from '../personalData/keyStore.ts';
import { sealingEventStore } from '../personalData/sealingEventStore.ts';
import { acceptedForms, parseEventStoreUrl } from './eventstoredb/connectionString.ts';
import { createEventStoreDbEventStore } from './eventstoredb/eventStoreDbEventStore.ts';
import { createEventNotifications } from './postgres/notifications.ts';
import { createPostgresEventStore } from './postgres/postgresEventStore.ts';

/** How long EventStoreDB has to answer at start before the process gives up on it. */
const defaultStartDeadlineMs = 10_000;

/**
 * EventStoreDB when EVENTSTORE_URL is set; otherwise the event tables of the PostgreSQL database.
 * EventStoreDB must answer before anything starts: a process that cannot reach it stops with one
 * line naming EVENTSTORE_URL (a StartupError) rather than serving and failing every write. Either
 * way the store seals personal data (personalData/), its keys in PostgreSQL: `secret` (JWT_SECRET)
 * keys the names of e-mail reservation streams; a process without it cannot touch those streams.
 */
export const openEventStore = async (
  config: Pick<Config, 'eventStoreUrl'> & { readonly secret: string | undefined },
  pool: pg.Pool,
  databaseUrl: URL,
  log: Logger,
  startDeadlineMs = defaultStartDeadlineMs,
): Promise<{ store: EventStore; kind: 'postgres' | 'eventstoredb' }> => {
  const sealing = (store: EventStore): EventStore =>
    sealingEventStore(tracedEventStore(store), createPersonalDataKeys(pool), emailReservationStreams(config.secret));
  if (config.eventStoreUrl === undefined) {
    return {
      kind: 'postgres',
      store: sealing(
        createPostgresEventStore({
          pool,
          notifications: createEventNotifications(pool, { connectionString: databaseUrl.href, application_name: 'fastflix-listen' }, log),
        }),
      ),
    };
  }
  const parsed = parseEventStoreUrl(config.eventStoreUrl);
  if (E.isLeft(parsed)) {
    throw new StartupError(`EVENTSTORE_URL must be an EventStoreDB connection string (${acceptedForms}): ${parsed.left}`);
  }
  const { redacted } = parsed.right;
  let store: EventStore;
  try {
    store = createEventStoreDbEventStore({ connection: parsed.right, log });
  } catch (error) {
    // The client reads certificate files as it is built.
    throw new StartupError(`EVENTSTORE_URL=${redacted} cannot be used: ${messageOf(error)}`);
  }
  try {
    await untilAnswered(store, Date.now() + startDeadlineMs);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new StartupError(
      `EventStoreDB at EVENTSTORE_URL=${redacted} did not answer within ${startDeadlineMs / 1000} s (${messageOf(error)}); ` +
        `check that it runs and that the connection string is right (${acceptedForms})`,
    );
  }
  return { kind: 'eventstoredb', store: sealing(store) };
};

/** Pings until one answers: a server started beside the service (compose) may need a few seconds. */
const untilAnswered = async (store: EventStore, deadline: number): Promise<void> => {
  for (;;) {
    try {
      return await store.ping();
    } catch (error) {
      if (Date.now() + retryGapMs >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryGapMs));
    }
  }
};

const retryGapMs = 500;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
