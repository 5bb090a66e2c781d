import { expect } from 'chai';
import { replayInto } from '../../src/audit/replay.ts';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import { projections } from '../../src/projections/index.ts';
import { compareSchemas } from '../../src/projections/runtime/compare.ts';
import { liveSchema } from '../../src/projections/runtime/projection.ts';
import { runProjection, type ProjectionRuntime } from '../../src/projections/runtime/runProjection.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { appendActivity } from '../projections/support/activityLog.ts';
import { testLog } from '../support/postgresServer.ts';

// `audit replay --to N`: every read model as the live projectors had built it when the log ended at
// N. The live read models are built first, in small batches while the log stood at N; the log then
// grows; the replay, one schema for all read models, must equal each of them table by table.

describe('audit replay', function () {
  this.timeout(120_000);
  let opened: TestEventStore;
  let runtime: ProjectionRuntime;
  let at: bigint;

  before(async () => {
    opened = await openPostgresEventStore();
    runtime = {
      pool: opened.pool,
      lockConnection: { connectionString: opened.database.url.href },
      store: opened.store,
      registry: eventRegistry(domainEventDefinitions),
      log: testLog,
      batchSize: 37,
    };
    await appendActivity(opened.store, { movies: 30, users: 12, actions: 400, seed: 1 });
    at = (await opened.store.headPosition()) ?? -1n;
    await Promise.all(
      projections.map(
        (projection) =>
          runProjection(projection, runtime, { stateName: projection.name, schema: liveSchema(projection), untilCaughtUp: true }).done,
      ),
    );
    await appendActivity(opened.store, { movies: 10, users: 5, actions: 200, seed: 2 });
  });
  after(() => opened.close());

  it('builds every read model as of a position into one schema, equal to the live ones stopped there, table by table', async () => {
    const result = await replayInto(projections, { ...runtime, batchSize: 1_000 }, { schema: 'audit_then', toPosition: at, force: false });
    expect(result).to.deep.include({ outcome: 'replayed', position: at });
    for (const projection of projections) {
      const comparison = await compareSchemas(opened.pool, liveSchema(projection), 'audit_then');
      const tables = comparison.tables.filter((table) => table.liveRows !== null);
      expect(tables, projection.name).to.not.be.empty;
      for (const table of tables) expect(table, `${projection.name}: ${table.table}`).to.include({ same: true });
    }
    const { rows } = await opened.pool.query<{ then: string; now: string }>(
      `SELECT (SELECT count(*) FROM audit_then.movies) AS then, (SELECT count(*) FROM events WHERE type = 'MovieAdded') AS now`,
    );
    expect(rows[0]).to.deep.equal({ then: '30', now: '40' });
    const left = await opened.pool.query("SELECT name FROM projection_state WHERE name LIKE '%@replay%'");
    expect(left.rows).to.deep.equal([]);
  });

  it('refuses a schema that exists unless forced, and the service’s own schemas always', async () => {
    await opened.pool.query('CREATE SCHEMA IF NOT EXISTS audit_taken');
    expect(await replayInto(projections, runtime, { schema: 'audit_taken', toPosition: at, force: false })).to.have.property(
      'outcome',
      'refused',
    );
    const forced = await replayInto(projections, runtime, { schema: 'audit_taken', toPosition: 0n, force: true });
    expect(forced).to.have.property('outcome', 'replayed');
    const { rows } = await opened.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_taken.movies');
    expect(rows[0]?.n).to.equal('0');
    for (const schema of ['rm_catalogue', 'public', 'Bad-Name']) {
      expect(await replayInto(projections, runtime, { schema, toPosition: at, force: true }), schema).to.have.property(
        'outcome',
        'refused',
      );
    }
  });
});
