import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { catalogue } from '../../src/projections/catalogue/projection.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { EventStore, EventToAppend, StoredEvent } from '../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { liveSchema } from '../../src/projections/runtime/projection.ts';
import { startRebuild } from '../../src/projections/runtime/rebuild.ts';
import { runProjection } from '../../src/projections/runtime/runProjection.ts';
import { createReactorMetrics, reactorStatus, startReactors, type Reactor, type ReactorRuntime } from '../../src/reactors/runtime/index.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { movieAdded } from '../projections/support/titleRecorder.ts';
import { testLog } from '../support/postgresServer.ts';
import { waitFor } from '../support/waitFor.ts';

// The reactor runtime against a real event store and PostgreSQL: an effect once per causing event
// however often it is delivered, a failing event parked without holding anyone up, bulk loads passed
// over, and a checkpoint of its own that no projection rebuild moves.

interface Recording {
  /** Every delivery, redeliveries included. */
  readonly delivered: string[];
  /** Effects done through `once`, in memory (what a socket emit or a mail would be). */
  readonly effects: string[];
}

/** Reacts to MovieAdded whose title starts with `prefix`; throws on `${prefix} ${poison}`. */
const recorder = (name: string, prefix: string, options: { poison?: string; includeBulk?: boolean } = {}): [Reactor, Recording] => {
  const recording: Recording = { delivered: [], effects: [] };
  const reactor: Reactor = {
    name,
    eventTypes: ['MovieAdded'],
    startAt: 'start',
    ...(options.includeBulk === undefined ? {} : { includeBulk: options.includeBulk }),
    handle: async (event, { once }) => {
      const title = titleOf(event);
      if (!title.startsWith(prefix)) return;
      recording.delivered.push(title);
      if (options.poison !== undefined && title === `${prefix} ${options.poison}`) throw new Error(`cannot react to ${title}`);
      await once('', async (tx) => {
        await tx.query('INSERT INTO spec_reactor_effects (reactor, title) VALUES ($1, $2)', [name, title]);
        recording.effects.push(title);
      });
    },
  };
  return [reactor, recording];
};

const titleOf = (event: StoredEvent): string => (typeof event.data.title === 'string' ? event.data.title : '');

const bulk = (event: EventToAppend): EventToAppend => ({ ...event, metadata: { ...event.metadata, bulk: true } });

describe('the reactor runtime', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let store: EventStore;
  let pool: pg.Pool;
  let runtime: ReactorRuntime;

  before(async () => {
    opened = await openPostgresEventStore();
    store = opened.store;
    pool = opened.pool;
    // Duplicates of (reactor, title) break the key: an effect done twice cannot pass unseen.
    await pool.query('CREATE TABLE spec_reactor_effects (reactor text, title text, PRIMARY KEY (reactor, title))');
    runtime = {
      pool,
      lockConnection: { connectionString: opened.database.url.href },
      store,
      log: testLog,
      retryDelaysMs: [10, 20],
      standbyPollMs: 100,
      idleCheckpointMs: 50,
    };
  });
  after(async () => {
    await opened.close();
  });

  /** The newest event this spec appended. Not the store's head: that is the last position below every running
   * transaction of the whole (shared) server, and may trail an append that has just committed. */
  let lastAppended = -1n;
  const append = async (events: readonly EventToAppend[]): Promise<void> => {
    const result = await store.appendToStream(streamName('movie', randomUUID()), events);
    if (result.position !== null) lastAppended = result.position;
  };
  /** Waits until readers of the log see up to the newest event appended. */
  const visible = (): Promise<void> => waitFor(async () => ((await store.headPosition()) ?? -1n) >= lastAppended);
  const checkpoint = async (name: string): Promise<bigint> =>
    BigInt((await pool.query<{ position: string }>('SELECT position FROM reactor_state WHERE name = $1', [name])).rows[0]?.position ?? -2);
  const effectRows = async (name: string): Promise<number> =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM spec_reactor_effects WHERE reactor = $1', [name])).rows[0]?.n);
  const lastPosition = (): Promise<bigint> => Promise.resolve(lastAppended);

  it('acts once per event when the events are delivered again after a crash before the checkpoint', async () => {
    const name = `once-${randomUUID().slice(0, 6)}`;
    await append(Array.from({ length: 30 }, (_, n) => movieAdded(`${name} m${n}`)));
    const [reactor, recording] = recorder(name, name);
    const first = startReactors([reactor], runtime);
    const head = await lastPosition();
    await waitFor(async () => (await checkpoint(name)) >= head);
    await first.stop();
    expect(recording.delivered).to.have.length(30);
    // As if the process died after its effects and before its checkpoint: every event comes again.
    await pool.query('UPDATE reactor_state SET position = -1 WHERE name = $1', [name]);
    const second = startReactors([reactor], runtime);
    await waitFor(async () => (await checkpoint(name)) >= head);
    await second.stop();
    expect(recording.delivered, 'each event was delivered twice').to.have.length(60);
    expect(recording.effects, 'but acted on once').to.have.length(30);
    expect(await effectRows(name)).to.equal(30);
  });

  it('parks an event a reactor keeps failing on, goes on past it, and never holds up another reactor', async () => {
    const name = `poison-${randomUUID().slice(0, 6)}`;
    const registry = new Registry();
    const [failing, failed] = recorder(`${name}-a`, name, { poison: 'bad' });
    const [healthy, fine] = recorder(`${name}-b`, name);
    await append([movieAdded(`${name} one`), movieAdded(`${name} bad`), movieAdded(`${name} two`)]);
    const running = startReactors([failing, healthy], { ...runtime, metrics: createReactorMetrics(registry) });
    const head = await lastPosition();
    try {
      await waitFor(async () => (await checkpoint(`${name}-a`)) >= head && (await checkpoint(`${name}-b`)) >= head);
    } finally {
      await running.stop();
    }
    expect(fine.effects).to.deep.equal([`${name} one`, `${name} bad`, `${name} two`]);
    expect(failed.effects, 'the failing reactor went on past its poison event').to.deep.equal([`${name} one`, `${name} two`]);
    expect(
      failed.delivered.filter((title) => title === `${name} bad`),
      'tried, then retried twice',
    ).to.have.length(3);
    const status = (await reactorStatus(pool, store)).find((row) => row.name === `${name}-a`);
    expect(status?.parked.map((event) => [event.eventType, event.attempts, event.error])).to.deep.equal([
      ['MovieAdded', 3, `cannot react to ${name} bad`],
    ]);
    expect(status?.behind).to.equal(0);
    const metrics = await registry.metrics();
    expect(metrics).to.include(`fastflix_reactor_parked_events{reactor="${name}-a"} 1`);
    expect(metrics).to.include(`fastflix_reactor_parked_events{reactor="${name}-b"} 0`);
    expect(metrics).to.include(`fastflix_reactor_failures_total{reactor="${name}-a"} 3`);
    expect(metrics).to.include(`fastflix_reactor_lag_seconds{reactor="${name}-b"} 0`);
  });

  it('passes over the events of bulk loads unless a reactor asks for them', async () => {
    const name = `bulk-${randomUUID().slice(0, 6)}`;
    const registry = new Registry();
    const [usual, usually] = recorder(`${name}-usual`, name);
    const [everything, all] = recorder(`${name}-all`, name, { includeBulk: true });
    await append([movieAdded(`${name} live1`), bulk(movieAdded(`${name} imported1`)), bulk(movieAdded(`${name} imported2`))]);
    await append([movieAdded(`${name} live2`)]);
    const running = startReactors([usual, everything], { ...runtime, metrics: createReactorMetrics(registry) });
    const head = await lastPosition();
    try {
      await waitFor(async () => (await checkpoint(`${name}-usual`)) >= head && (await checkpoint(`${name}-all`)) >= head);
    } finally {
      await running.stop();
    }
    expect(usually.delivered).to.deep.equal([`${name} live1`, `${name} live2`]);
    expect(all.delivered).to.deep.equal([`${name} live1`, `${name} imported1`, `${name} imported2`, `${name} live2`]);
    expect(await registry.metrics()).to.match(new RegExp(`fastflix_reactor_bulk_events_skipped_total\\{reactor="${name}-usual"\\} [1-9]`));
  });

  it('starts a new reactor at the head of the log unless it asks for the past', async () => {
    const name = `head-${randomUUID().slice(0, 6)}`;
    await append([movieAdded(`${name} before`)]);
    // Where the reactor starts is the head it sees: once it sees this event, it starts after it.
    await visible();
    const recording: string[] = [];
    const reactor: Reactor = {
      name,
      eventTypes: ['MovieAdded'],
      handle: (event: StoredEvent) => {
        if (titleOf(event).startsWith(name)) recording.push(titleOf(event));
        return Promise.resolve();
      },
    };
    const running = startReactors([reactor], runtime);
    try {
      // Once its checkpoint exists, it has chosen where to start.
      await waitFor(async () => (await checkpoint(name)) >= -1n);
      await append([movieAdded(`${name} after`)]);
      const head = await lastPosition();
      await waitFor(async () => (await checkpoint(name)) >= head);
    } finally {
      await running.stop();
    }
    expect(recording).to.deep.equal([`${name} after`]);
  });

  it('is not run again by a rebuild of the projections: its checkpoint is its own', async () => {
    const name = `rebuild-${randomUUID().slice(0, 6)}`;
    await append([movieAdded(`${name} x`), movieAdded(`${name} y`)]);
    const [reactor, recording] = recorder(name, name);
    const first = startReactors([reactor], runtime);
    const head = await lastPosition();
    await waitFor(async () => (await checkpoint(name)) >= head);
    await first.stop();
    const projectionRuntime = {
      pool,
      lockConnection: { connectionString: opened.database.url.href },
      store,
      registry: eventRegistry(domainEventDefinitions),
      log: testLog,
      standbyPollMs: 100,
    };
    await runProjection(catalogue, projectionRuntime, { stateName: catalogue.name, schema: liveSchema(catalogue), untilCaughtUp: true })
      .done;
    const rebuilt = await startRebuild(catalogue, projectionRuntime, {}).done;
    expect(rebuilt.outcome).to.equal('swapped');
    const again = startReactors([reactor], runtime);
    await append([movieAdded(`${name} z`)]);
    const after = await lastPosition();
    await waitFor(async () => (await checkpoint(name)) >= after);
    await again.stop();
    expect(recording.delivered).to.deep.equal([`${name} x`, `${name} y`, `${name} z`]);
    expect(await effectRows(name)).to.equal(3);
  });
});
