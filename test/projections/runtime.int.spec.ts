import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type pg from 'pg';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { EventStore } from '../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { createProjectionMetrics } from '../../src/infrastructure/metrics/metrics.ts';
import type { Projection } from '../../src/projections/runtime/projection.ts';
import { createProjectionPositions } from '../../src/projections/runtime/positions.ts';
import { applyToTarget, FencedOut, runProjection, type ProjectionRuntime } from '../../src/projections/runtime/runProjection.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { testLog } from '../support/postgresServer.ts';
import { movieAdded } from './support/titleRecorder.ts';
import { waitFor } from '../support/waitFor.ts';

// The projector runtime against a real event store and PostgreSQL: exactly-once application, a
// poison event parked and the projection stopped there, one writer per projection.

const registry = eventRegistry(domainEventDefinitions);

/**
 * Records each movie it sees whose title starts with `name` (each test appends its own); a duplicate
 * would violate the key, so applying twice cannot pass unseen.
 */
const recorder = (name: string, poison?: string, attempts?: { count: number }): Projection => ({
  name,
  version: 1,
  eventTypes: ['MovieAdded'],
  schema: 'CREATE TABLE seen (movie_id uuid PRIMARY KEY, title text NOT NULL)',
  statements: (events) =>
    events.flatMap((event) => {
      if (event.type !== 'MovieAdded' || !event.data.title.startsWith(name)) return [];
      if (event.data.title === `${name} ${poison}`) {
        if (attempts !== undefined) attempts.count++;
        throw new Error(`cannot apply ${poison}`);
      }
      return [
        {
          text: 'INSERT INTO seen (movie_id, title) VALUES ($1, $2)',
          values: [event.data.movieId, event.data.title.slice(name.length + 1)],
        },
      ];
    }),
});

describe('the projector runtime', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let store: EventStore;
  let pool: pg.Pool;
  let runtime: ProjectionRuntime;

  before(async () => {
    opened = await openPostgresEventStore();
    store = opened.store;
    pool = opened.pool;
    runtime = {
      pool,
      lockConnection: { connectionString: opened.database.url.href },
      store,
      registry,
      log: testLog,
      retryDelaysMs: [10, 20],
      standbyPollMs: 100,
      metrics: createProjectionMetrics(),
    };
  });
  after(async () => {
    await opened.close();
  });

  const count = async (schema: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.seen`)).rows[0]?.n);
  const target = (name: string) => ({ stateName: name, schema: `rm_${name}` });

  it('applies every event exactly once, across batches and a restart', async () => {
    const name = `spec_once_${randomUUID().slice(0, 6)}`;
    await store.appendToStream(
      streamName('movie', randomUUID()),
      Array.from({ length: 250 }, (_, n) => movieAdded(`${name} m${n}`)),
    );
    const first = runProjection(recorder(name), { ...runtime, batchSize: 100 }, target(name));
    await waitFor(
      async () =>
        (await pool.query<{ t: string | null }>(`SELECT to_regclass('rm_${name}.seen') AS t`)).rows[0]?.t !== null &&
        (await count(`rm_${name}`)) === 250,
    );
    await first.stop();
    await store.appendToStream(
      streamName('movie', randomUUID()),
      Array.from({ length: 50 }, (_, n) => movieAdded(`${name} late${n}`)),
    );
    const second = runProjection(recorder(name), runtime, target(name));
    await waitFor(async () => (await count(`rm_${name}`)) === 300);
    await second.stop();
    const state = await pool.query<{ position: string }>('SELECT position FROM projection_state WHERE name = $1', [name]);
    expect(BigInt(state.rows[0]?.position ?? -1)).to.equal(await store.headPosition());
  });

  it('moves its checkpoint past other events in memory at once, and stores it when it stops', async () => {
    const name = `spec_idle_${randomUUID().slice(0, 6)}`;
    const announced: bigint[] = [];
    const positions = {
      current: () => announced.at(-1) ?? -1n,
      advanced: (_name: string, position: bigint) => void announced.push(position),
      learned: (_name: string, position: bigint) => void announced.push(position),
      waitFor: () => Promise.resolve(true),
      close: () => Promise.resolve(),
    };
    const stored = async (): Promise<bigint> =>
      BigInt(
        (await pool.query<{ position: string }>('SELECT position FROM projection_state WHERE name = $1', [name])).rows[0]?.position ?? -1,
      );
    const running = runProjection(recorder(name), { ...runtime, positions, idleCheckpointMs: 60_000 }, target(name));
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} first`)]);
    await waitFor(async () => (await pool.query<{ t: string | null }>(`SELECT to_regclass('rm_${name}.seen') AS t`)).rows[0]?.t !== null);
    await waitFor(async () => (await count(`rm_${name}`)) === 1);
    const afterApplying = await stored();

    // Events this projection does not read: the position reaches them, the table does not (yet).
    for (let n = 0; n < 5; n++) {
      await store.appendToStream(streamName('other', randomUUID()), [{ ...movieAdded(`${name} other${n}`), type: 'SomethingElse' }]);
    }
    const head = await store.headPosition();
    await waitFor(() => Promise.resolve((announced.at(-1) ?? -1n) >= (head ?? 0n)));
    expect(await stored()).to.equal(afterApplying);

    await running.stop();
    expect(await stored()).to.equal(announced.at(-1));
    expect(await count(`rm_${name}`)).to.equal(1);
  });

  it('stores a checkpoint moved past other events once the log goes quiet', async () => {
    const name = `spec_quiet_${randomUUID().slice(0, 6)}`;
    const running = runProjection(recorder(name), { ...runtime, idleCheckpointMs: 100 }, target(name));
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} first`)]);
    await waitFor(async () => (await pool.query<{ t: string | null }>(`SELECT to_regclass('rm_${name}.seen') AS t`)).rows[0]?.t !== null);
    await waitFor(async () => (await count(`rm_${name}`)) === 1);
    for (let n = 0; n < 5; n++) {
      await store.appendToStream(streamName('other', randomUUID()), [{ ...movieAdded(`${name} other${n}`), type: 'SomethingElse' }]);
    }
    const head = await store.headPosition();
    try {
      await waitFor(
        async () =>
          BigInt(
            (await pool.query<{ position: string }>('SELECT position FROM projection_state WHERE name = $1', [name])).rows[0]?.position ??
              -1,
          ) === head,
        3_000,
      );
    } finally {
      await running.stop();
    }
  });

  it("announces each stored checkpoint to other processes' read-your-writes in the commit that stores it", async () => {
    const name = `spec_told_${randomUUID().slice(0, 6)}`;
    const listenerConfig = { connectionString: opened.database.url.href };
    const here = await createProjectionPositions(pool, listenerConfig, testLog);
    const elsewhere = await createProjectionPositions(pool, listenerConfig, testLog);
    const running = runProjection(recorder(name), { ...runtime, positions: here }, target(name));
    try {
      await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} first`)]);
      const head = (await store.headPosition()) ?? 0n;
      expect(await elsewhere.waitFor([name], head, 5_000)).to.equal(true);
    } finally {
      await running.stop();
      await here.close();
      await elsewhere.close();
    }
  });

  it('rolls a batch back, read-model writes and all, when its checkpoint moved under it (fenced out)', async () => {
    const name = `spec_fence_${randomUUID().slice(0, 6)}`;
    const first = runProjection(recorder(name), runtime, target(name));
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} first`)]);
    await waitFor(async () => (await pool.query<{ t: string | null }>(`SELECT to_regclass('rm_${name}.seen') AS t`)).rows[0]?.t !== null);
    await waitFor(async () => (await count(`rm_${name}`)) === 1);
    await first.stop();
    const checkpoint = BigInt(
      (await pool.query<{ position: string }>('SELECT position FROM projection_state WHERE name = $1', [name])).rows[0]?.position ?? -1,
    );
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} second`)]);
    const [latest] = await store.readAll({ direction: 'backwards', maxCount: 1 });
    if (latest === undefined) throw new Error('no event');
    const decoded = registry.decode(latest);
    if (E.isLeft(decoded)) throw decoded.left;
    // Another instance's idea of the checkpoint: one behind the stored one.
    const refused = await applyToTarget(pool, recorder(name), target(name), [decoded.right], checkpoint - 1n, latest.position).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(FencedOut);
    expect(await count(`rm_${name}`)).to.equal(1);
    // With the right checkpoint the same batch goes in.
    await applyToTarget(pool, recorder(name), target(name), [decoded.right], checkpoint, latest.position);
    expect(await count(`rm_${name}`)).to.equal(2);
  });

  it('retries a failing event, then parks it with its error and stops there, applying nothing after it', async () => {
    const name = `spec_poison_${randomUUID().slice(0, 6)}`;
    const attempts = { count: 0 };
    await store.appendToStream(streamName('movie', randomUUID()), [
      movieAdded(`${name} before`),
      movieAdded(`${name} poison`),
      movieAdded(`${name} after`),
    ]);
    const run = runProjection(recorder(name, 'poison', attempts), runtime, target(name));
    await waitFor(
      async () => (await pool.query("SELECT 1 FROM projection_state WHERE name = $1 AND status = 'stopped'", [name])).rowCount === 1,
    );
    const dead = await pool.query<{ event_type: string; error: string; attempts: number; resolution: string | null }>(
      'SELECT event_type, error, attempts, resolution FROM projection_dead_letters WHERE projection = $1',
      [name],
    );
    expect(dead.rows).to.deep.equal([{ event_type: 'MovieAdded', error: 'cannot apply poison', attempts: 3, resolution: null }]);
    expect((await pool.query(`SELECT title FROM rm_${name}.seen ORDER BY title`)).rows).to.deep.equal([{ title: 'before' }]);
    expect((await pool.query('SELECT status, error FROM projection_state WHERE name = $1', [name])).rows).to.deep.equal([
      { status: 'stopped', error: 'cannot apply poison' },
    ]);
    // One try as a batch, then the event alone: three times (the first and two retries).
    expect(attempts.count).to.equal(4);
    await run.stop();
    // A stopped projection stays stopped on restart (it waits for an operator): nothing is skipped silently.
    const restarted = runProjection(recorder(name), runtime, target(name));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count(`rm_${name}`)).to.equal(1);
    expect((await pool.query('SELECT status FROM projection_state WHERE name = $1', [name])).rows).to.deep.equal([{ status: 'stopped' }]);
    await restarted.stop();
    // A one-shot run (a rebuild's) settles instead, for its caller to report.
    expect(await runProjection(recorder(name), runtime, { ...target(name), untilCaughtUp: true }).done).to.equal('parked');
  });

  it('lets one instance write a projection while another stands by, and hands over when the first stops', async () => {
    const name = `spec_standby_${randomUUID().slice(0, 6)}`;
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} one`)]);
    const active = runProjection(recorder(name), runtime, target(name));
    await waitFor(
      async () =>
        (await pool.query<{ t: string | null }>(`SELECT to_regclass('rm_${name}.seen') AS t`)).rows[0]?.t !== null &&
        (await count(`rm_${name}`)) === 1,
    );
    const standby = runProjection(recorder(name), runtime, target(name));
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} two`)]);
    await waitFor(async () => (await count(`rm_${name}`)) === 2);
    await active.stop();
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} three`)]);
    await waitFor(async () => (await count(`rm_${name}`)) === 3);
    await standby.stop();
  });
});
