import type pg from 'pg';
import type { Registry } from 'prom-client';
import { openEventStore } from '../../infrastructure/eventStore/openEventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { RoleSettings } from '../../infrastructure/threads/roles.ts';
import { reactors, type ReactorDependencies } from '../index.ts';
import { createReactorMetrics } from './metrics.ts';
import { startReactors, type RunningReactors } from './startReactors.ts';

/**
 * The registered reactors (src/reactors/index.ts), run in a role's thread with an event store of their
 * own. What they push through (`userFeed`) belongs to the caller, who closes it after `stop`.
 */
export const startReactorRole = async (
  settings: RoleSettings,
  pool: pg.Pool,
  log: Logger,
  registry: Registry,
  dependencies: Omit<ReactorDependencies, 'pool' | 'log'>,
): Promise<RunningReactors> => {
  const databaseUrl = new URL(settings.databaseUrl);
  const { store } = await openEventStore({ eventStoreUrl: settings.eventStoreUrl, secret: settings.secret }, pool, databaseUrl, log);
  const running = startReactors(reactors({ pool, log, ...dependencies }), {
    pool,
    lockConnection: { connectionString: databaseUrl.href },
    store,
    log,
    metrics: createReactorMetrics(registry),
  });
  // A service answers requests once its roles have started: an event it then commits (a registration)
  // is after every reactor's first checkpoint, so even a new reactor reacts to it.
  await running.ready;
  return {
    ready: running.ready,
    stop: async () => {
      await running.stop();
      await store.close();
    },
  };
};
