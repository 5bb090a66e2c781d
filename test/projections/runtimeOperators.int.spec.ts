import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type pg from 'pg';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import type { EventStore } from '../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { resolveParked } from '../../src/projections/runtime/deadLetters.ts';
import { holdLock } from '../../src/projections/runtime/lock.ts';
import { runProjection, type ProjectionRuntime } from '../../src/projections/runtime/runProjection.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { testLog } from '../support/postgresServer.ts';
import { movieAdded, titleRecorder } from './support/titleRecorder.ts';
import { waitFor } from '../support/waitFor.ts';

// What the runtime does for an operator: a parked live projection resumes once its event is retried
// or skipped (`fastflix projections retry|skip`), and a running one hands its lock to a session
// that waits for it (a rebuild about to swap).

describe('the projector runtime, with an operator', function () {
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
      registry: eventRegistry(domainEventDefinitions),
      log: testLog,
      retryDelaysMs: [10],
      standbyPollMs: 100,
    };
  });
  after(async () => {
    await opened.close();
  });

  const titles = async (name: string): Promise<string[]> =>
    (await pool.query<{ title: string }>(`SELECT title FROM rm_${name}.seen ORDER BY title`)).rows.map((row) => row.title);
  const state = async (name: string) =>
    (await pool.query<{ status: string; position: string }>('SELECT status, position FROM projection_state WHERE name = $1', [name]))
      .rows[0];
  const letters = async (name: string) =>
    (
      await pool.query<{ resolution: string | null; resolved: boolean; position: string }>(
        'SELECT resolution, resolved_at IS NOT NULL AS resolved, position FROM projection_dead_letters WHERE projection = $1 ORDER BY id',
        [name],
      )
    ).rows;

  /** A live runner parked at `<name> poison` (which fails while `broken.now`), with `before` applied and `after` not. */
  const parked = async (broken: { now: boolean }) => {
    const name = `spec_ops_${randomUUID().slice(0, 6)}`;
    await store.appendToStream(streamName('movie', randomUUID()), [
      movieAdded(`${name} before`),
      movieAdded(`${name} poison`),
      movieAdded(`${name} after`),
    ]);
    const run = runProjection(titleRecorder(name, { poison: 'poison', broken }), runtime, { stateName: name, schema: `rm_${name}` });
    await waitFor(async () => (await state(name))?.status === 'stopped');
    expect(await titles(name)).to.deep.equal(['before']);
    return { name, run };
  };

  it('resumes a parked projection once the operator retries its event, applying it again', async () => {
    const broken = { now: true };
    const { name, run } = await parked(broken);
    try {
      broken.now = false;
      const resolution = await resolveParked(pool, name, 'retried');
      expect(resolution.outcome).to.equal('retried');
      await waitFor(async () => (await titles(name)).length === 3);
      expect(await titles(name)).to.deep.equal(['after', 'before', 'poison']);
      expect((await state(name))?.status).to.equal('running');
      expect((await letters(name)).map(({ resolution: how, resolved }) => ({ how, resolved }))).to.deep.equal([
        { how: 'retried', resolved: true },
      ]);
    } finally {
      await run.stop();
    }
  });

  it('parks the event again when a retry fails again, recording both attempts', async () => {
    const { name, run } = await parked({ now: true });
    try {
      await resolveParked(pool, name, 'retried');
      await waitFor(async () => (await letters(name)).length === 2 && (await state(name))?.status === 'stopped');
      expect((await letters(name)).map((letter) => letter.resolution)).to.deep.equal(['retried', null]);
      expect(await titles(name)).to.deep.equal(['before']);
    } finally {
      await run.stop();
    }
  });

  it('resumes past a skipped event without ever applying it, and records the skip', async () => {
    const { name, run } = await parked({ now: true });
    try {
      const resolution = await resolveParked(pool, name, 'skipped');
      expect(resolution.outcome).to.equal('skipped');
      await waitFor(async () => (await titles(name)).length === 2);
      expect(await titles(name)).to.deep.equal(['after', 'before']);
      const [letter] = await letters(name);
      expect(letter?.resolution).to.equal('skipped');
      expect(letter?.resolved).to.equal(true);
      expect(
        BigInt((await state(name))?.position ?? -1) > BigInt(letter?.position ?? 0),
        'the checkpoint is past the skipped event',
      ).to.equal(true);
    } finally {
      await run.stop();
    }
  });

  it('refuses to retry or skip a projection that is not parked', async () => {
    const name = `spec_ops_${randomUUID().slice(0, 6)}`;
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} fine`)]);
    const run = runProjection(titleRecorder(name), runtime, { stateName: name, schema: `rm_${name}`, untilCaughtUp: true });
    expect(await run.done).to.equal('caught-up');
    expect(await resolveParked(pool, name, 'retried')).to.deep.equal({ outcome: 'nothing-parked', status: 'running' });
    expect(await resolveParked(pool, name, 'skipped')).to.deep.equal({ outcome: 'nothing-parked', status: 'running' });
    expect(await resolveParked(pool, `${name}_unknown`, 'skipped')).to.deep.equal({ outcome: 'unknown-projection' });
  });

  it('waits for a rebuild that holds a parked projection to swap it before resolving, and says so if it takes too long', async () => {
    const { name, run } = await parked({ now: true });
    try {
      const rebuild = await holdLock(runtime.lockConnection, name, { waitMs: 5_000 });
      expect(await resolveParked(pool, name, 'skipped', 200)).to.deep.equal({ outcome: 'busy' });
      expect((await letters(name)).map((letter) => letter.resolution)).to.deep.equal([null]);
      await rebuild.release();
      expect((await resolveParked(pool, name, 'skipped', 200)).outcome).to.equal('skipped');
    } finally {
      await run.stop();
    }
  });

  it('hands its lock to a session that waits for it, stands by meanwhile, and takes it back after', async () => {
    const name = `spec_ops_${randomUUID().slice(0, 6)}`;
    await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} one`)]);
    const run = runProjection(titleRecorder(name), runtime, { stateName: name, schema: `rm_${name}` });
    try {
      await waitFor(
        async () =>
          (await pool.query<{ t: string | null }>(`SELECT to_regclass('rm_${name}.seen') AS t`)).rows[0]?.t !== null &&
          (await titles(name)).length === 1,
      );
      const lock = await holdLock(runtime.lockConnection, name, { waitMs: 5_000 });
      await store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${name} two`)]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await titles(name)).to.deep.equal(['one']);
      await lock.release();
      await waitFor(async () => (await titles(name)).length === 2);
    } finally {
      await run.stop();
    }
  });
});
