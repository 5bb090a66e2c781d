import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { createProjectionMetrics, type ProjectionMetrics } from '../../src/infrastructure/metrics/metrics.ts';
import { resolveParked } from '../../src/projections/runtime/deadLetters.ts';
import { runProjection, type ProjectionRuntime } from '../../src/projections/runtime/runProjection.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { testLog } from '../support/postgresServer.ts';
import { waitFor } from '../support/waitFor.ts';
import { movieAdded, titleRecorder } from './support/titleRecorder.ts';

// `fastflix_projection_stopped` is what pages an operator (ops/prometheus/alerts.yml takes its maximum
// over instances), so every projector instance must report 0 again once the parked event is resolved:
// the one that wins the lock and applies it, and the one that lost the race and stands by.

describe('the stopped gauge of two projector instances', function () {
  this.timeout(60_000);
  let opened: TestEventStore;

  before(async () => {
    opened = await openPostgresEventStore();
  });
  after(async () => {
    await opened.close();
  });

  const instance = (): { runtime: ProjectionRuntime; metrics: ProjectionMetrics } => {
    const metrics = createProjectionMetrics(new Registry());
    const runtime = {
      pool: opened.pool,
      lockConnection: { connectionString: opened.database.url.href },
      store: opened.store,
      registry: eventRegistry(domainEventDefinitions),
      log: testLog,
      metrics,
      retryDelaysMs: [10],
      standbyPollMs: 100,
    };
    return { runtime, metrics };
  };
  const stopped = async (metrics: ProjectionMetrics, name: string): Promise<number | undefined> =>
    (await metrics.projectionStopped.get()).values.find((value) => value.labels.projection === name)?.value;

  it('goes back to 0 on both once the event is retried and applied', async () => {
    const name = `spec_gauge_${randomUUID().slice(0, 6)}`;
    await opened.store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} poison`)]);
    const broken = { now: true };
    const [a, b] = [instance(), instance()];
    const runs = [a, b].map(({ runtime }) =>
      runProjection(titleRecorder(name, { poison: 'poison', broken }), runtime, { stateName: name, schema: `rm_${name}` }),
    );
    try {
      // One parks the event; the other takes the lock it let go, finds the projection stopped, and says so too.
      await waitFor(async () => (await stopped(a.metrics, name)) === 1 && (await stopped(b.metrics, name)) === 1);
      broken.now = false;
      expect((await resolveParked(opened.pool, name, 'retried')).outcome).to.equal('retried');
      await waitFor(async () => (await opened.pool.query(`SELECT 1 FROM rm_${name}.seen`)).rowCount === 1);
      await waitFor(async () => (await stopped(a.metrics, name)) === 0 && (await stopped(b.metrics, name)) === 0, 5_000);
    } finally {
      await Promise.all(runs.map((run) => run.stop()));
    }
  });
});
