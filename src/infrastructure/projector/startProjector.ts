import { domainEventDefinitions } from '../../domain/events.ts';
import { projections } from '../../projections/index.ts';
import { createProjectionPositions } from '../../projections/runtime/positions.ts';
import { liveSchema } from '../../projections/runtime/projection.ts';
import { runProjection } from '../../projections/runtime/runProjection.ts';
import { eventRegistry } from '../eventStore/eventRegistry.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import type { Logger } from '../logging/logger.ts';
import type { ProjectionMetrics } from '../metrics/metrics.ts';
import { createPool } from '../postgres/pool.ts';
import type { RoleSettings, RunningRole } from '../threads/roles.ts';

/**
 * The `projector` process of DESIGN.md: a runner for every projection (each writes only while it holds
 * its advisory lock, so several projectors may run and one writes). It has connections of its own and
 * tells other processes how far it got through NOTIFY, so it runs the same in a thread beside the API,
 * in a process of its own, or on another machine. Its `stop` stops every runner after the batch in
 * hand, committed, then closes its connections.
 */
export const startProjector = async (settings: RoleSettings, log: Logger, metrics: ProjectionMetrics): Promise<RunningRole> => {
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => log.warn({ err: error }, 'error while stopping the projector'));
    }
  };
  try {
    const databaseUrl = new URL(settings.databaseUrl);
    const pool = createPool(databaseUrl, settings.poolSize, 'projector');
    closers.push(() => pool.end());
    const { store } = await openEventStore({ eventStoreUrl: settings.eventStoreUrl, secret: settings.secret }, pool, databaseUrl, log);
    closers.push(() => store.close());
    const positions = await createProjectionPositions(
      pool,
      { connectionString: databaseUrl.href, application_name: 'fastflix-projector-positions' },
      log,
    );
    closers.push(positions.close);
    const registry = eventRegistry(domainEventDefinitions);
    const runtime = { pool, lockConnection: { connectionString: databaseUrl.href }, store, registry, log, metrics, positions };
    const runners = projections.map((projection) =>
      runProjection(projection, runtime, { stateName: projection.name, schema: liveSchema(projection) }),
    );
    closers.push(() => Promise.all(runners.map((runner) => runner.stop())));
    log.info({ projections: projections.map((projection) => projection.name) }, 'projector started');
    return {
      stop: async () => {
        await closeAll();
        log.info('projector stopped');
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
