import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importMovieLens } from '../src/commands/importMovieLens/handler.ts';
import { domainEventDefinitions } from '../src/domain/events.ts';
import { eventRegistry } from '../src/infrastructure/eventStore/eventRegistry.ts';
import { createEventNotifications } from '../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { createPool } from '../src/infrastructure/postgres/pool.ts';
import { projections } from '../src/projections/index.ts';
import { analyzeLogIfStale } from '../src/projections/runtime/postgresLog.ts';
import { liveSchema, type Projection } from '../src/projections/runtime/projection.ts';
import { startRebuilds, type RebuildResult } from '../src/projections/runtime/rebuild.ts';
import { runProjection, type ProjectionRuntime } from '../src/projections/runtime/runProjection.ts';
import { createTestDatabase, startTestPostgres, stopTestPostgres, testLog } from '../test/support/postgresServer.ts';
import { describeEnvironment } from './support/environment.ts';
import { elapsedMs, round, table, whole } from './support/stats.ts';

// Rebuild of every read model from the events of a MovieLens import (ml-latest-small: 9,742 movies,
// 100,836 ratings, 3,683 tags, read where it lies, never copied). The live read models are first
// built by the runtime as the service would, so that the rebuild goes through every step: shadow
// catch-up from position 0, hand-over, comparison with the live tables, swap. Target: ≥ 40,000 events/s.

const dataset = fileURLToPath(new URL('../../shared/data/movielens/ml-latest-small', import.meta.url));

const option = (flags: readonly string[], name: string): number | undefined => {
  const value = flags.find((flag) => flag.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? undefined : Number(value);
};

export const main = async (flags: string[] = []): Promise<void> => {
  if (!existsSync(`${dataset}/ratings.csv`)) {
    console.log(`skipped: the MovieLens data set is not at ${dataset}`);
    return;
  }
  const batchSize = option(flags, 'batch-size') ?? Number(process.env.BENCH_REBUILD_BATCH ?? 5_000);
  await startTestPostgres();
  const database = await createTestDatabase();
  console.log(await describeEnvironment(database.url));
  const pool = createPool(database.url, 20, 'bench');
  const store = createPostgresEventStore({
    pool,
    notifications: createEventNotifications(pool, { connectionString: database.url.href }, testLog),
  });
  const registry = eventRegistry(domainEventDefinitions);
  const runtime: ProjectionRuntime = {
    pool,
    lockConnection: { connectionString: database.url.href },
    store,
    registry,
    log: testLog,
    batchSize,
  };
  try {
    let at = process.hrtime.bigint();
    const summary = await importMovieLens({ store, registry }, dataset);
    const logEvents = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n ?? 0);
    console.log(
      `import of ml-latest-small: ${whole(summary.movies)} movies, ${whole(summary.ratings)} ratings, ${whole(summary.tags)} tags; ` +
        `${whole(logEvents)} events in the log (${round(elapsedMs(at) / 1_000)} s); rebuild batches of ${whole(batchSize)} events\n`,
    );

    // The live read models, as the service's runners build them.
    at = process.hrtime.bigint();
    await Promise.all(
      projections.map(
        (projection) =>
          runProjection(
            projection,
            { ...runtime, batchSize: 1_000 },
            { stateName: projection.name, schema: liveSchema(projection), untilCaughtUp: true },
          ).done,
      ),
    );
    const liveMs = elapsedMs(at);

    // As `fastflix projections rebuild` does first.
    at = process.hrtime.bigint();
    const analyzed = await analyzeLogIfStale(pool, testLog);
    const rebuilt = await startRebuilds(projections, runtime).done;
    const results = projections.map((projection, index) => ({ projection, result: rebuilt[index] }));
    const rebuildMs = elapsedMs(at);
    const applied = results.reduce((sum, { result }) => sum + (result !== undefined && 'applied' in result ? result.applied : 0), 0);

    console.log(
      table(
        ['read model', 'events applied', 'catch-up s', 'catch-up events/s', 'total s (with hand-over, check, swap)', 'check', 'outcome'],
        results.map(({ projection, result }) => row(projection, result)),
      ),
    );
    console.log('');
    console.log(
      table(
        ['all read models, side by side', 'events', 'seconds', 'events/s'],
        [
          ['rebuild: events in the log ÷ wall time', whole(logEvents), round(rebuildMs / 1_000, 2), whole((logEvents / rebuildMs) * 1_000)],
          ['rebuild: events applied ÷ wall time', whole(applied), round(rebuildMs / 1_000, 2), whole((applied / rebuildMs) * 1_000)],
          [
            'first build of the live read models (runtime, 1,000-event batches)',
            whole(applied),
            round(liveMs / 1_000, 2),
            whole((applied / liveMs) * 1_000),
          ],
        ],
      ),
    );
    if (analyzed) console.log('\n(the rebuild first analyzed the event table: its planner statistics were stale after the import)');
    const rate = (logEvents / rebuildMs) * 1_000;
    console.log(`\ntarget ≥ 40,000 events/s: ${rate >= 40_000 ? 'met' : 'missed'} (${whole(rate)} events/s)`);
  } finally {
    await store.close();
    await pool.end();
    await database.drop();
    await stopTestPostgres();
  }
};

const row = (projection: Projection, result: RebuildResult | undefined): string[] => {
  if (result?.outcome !== 'swapped') return [projection.name, '', '', '', '', '', result?.outcome ?? 'no result'];
  const check =
    result.check.kind === 'compared'
      ? result.check.comparison.identical
        ? 'identical to live'
        : 'DIFFERS from live'
      : result.check.reason;
  return [
    projection.name,
    whole(result.applied),
    round(result.timings.catchUpMs / 1_000, 2),
    whole((result.applied / result.timings.catchUpMs) * 1_000),
    round(result.timings.totalMs / 1_000, 2),
    check,
    'swapped',
  ];
};
