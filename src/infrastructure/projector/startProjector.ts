import { domainEventDefinitions } from '../../domain/events.ts';
import { startSimilarityRefresh } from '../../projections/cowatch/refresher.ts';
import { projections } from '../../projections/index.ts';
import { createProjectionPositions } from '../../projections/runtime/positions.ts';
import { liveSchema } from '../../projections/runtime/projection.ts';
import { runProjection } from '../../projections/runtime/runProjection.ts';
import { eventRegistry } from '../eventStore/eventRegistry.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import type { Logger } from '../logging/logger.ts';
import type { ProjectionMetrics } from '../metrics/metrics.ts';
import { createPool } from '../postgres/pool.ts';

/** What the projector needs to know; plain values, so that they cross into a worker thread as they are. */
export interface ProjectorSettings {
  readonly databaseUrl: string;
  readonly eventStoreUrl: string | undefined;
  readonly poolSize: number;
}

export interface RunningProjector {
  /** Stops every runner after the batch in hand, committed, then closes its connections. */
  readonly stop: () => Promise<void>;
}

/**
 * The `projector` process of DESIGN.md: a runner for every projection (each writes only while it holds
 * its advisory lock, so several projectors may run and one writes) and the similarity refresh. It has
 * connections of its own and tells other processes how far it got through NOTIFY, so it runs the same
 * in a thread beside the API, in a process of its own, or on another machine.
 */
export const startProjector = async (settings: ProjectorSettings, log: Logger, metrics: ProjectionMetrics): Promise<RunningProjector> => {
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
    const eventStoreUrl = settings.eventStoreUrl === undefined ? undefined : new URL(settings.eventStoreUrl);
    const { store } = openEventStore({ eventStoreUrl }, pool, databaseUrl, log);
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
    // Co-watch similarity: also-watched and the recommendation neighbours, recomputed on a timer (until a job scheduler does it).
    const similarityRefresh = await startSimilarityRefresh(pool, log);
    closers.push(similarityRefresh.stop);
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
