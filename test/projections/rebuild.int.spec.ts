import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type pg from 'pg';
import { domainEventDefinitions } from '../../src/domain/events.ts';
import { eventRegistry } from '../../src/infrastructure/eventStore/eventRegistry.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { recountedVocabulary } from '../../src/projections/catalogue/vocabulary.ts';
import { projections } from '../../src/projections/index.ts';
import { quoteIdentifier } from '../../src/projections/runtime/compare.ts';
import { resolveParked } from '../../src/projections/runtime/deadLetters.ts';
import { liveSchema, rebuildStateName, type Projection } from '../../src/projections/runtime/projection.ts';
import { startRebuild, startRebuilds, type RebuildResult } from '../../src/projections/runtime/rebuild.ts';
import { runProjection, type ProjectionRuntime } from '../../src/projections/runtime/runProjection.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { testLog } from '../support/postgresServer.ts';
import { appendActivity } from './support/activityLog.ts';
import { movieAdded, titleRecorder } from './support/titleRecorder.ts';
import { waitFor } from '../support/waitFor.ts';

// Rebuilds of the real read models from a log with a bit of everything: the rebuild equals the live
// read model, a rebuild stopped part-way and resumed equals a clean one, reads of the live tables keep
// answering through the swap, and a running live runner hands over and carries on in the new tables.

const byName = (name: string): Projection => {
  const projection = projections.find((candidate) => candidate.name === name);
  if (projection === undefined) throw new Error(`no projection ${name}`);
  return projection;
};

describe('rebuilding the read models', function () {
  this.timeout(120_000);
  let opened: TestEventStore;
  let pool: pg.Pool;
  let runtime: ProjectionRuntime;

  /** Every table of a schema, each as its rows' text, sorted. */
  const contents = async (schema: string): Promise<Record<string, string[]>> => {
    const { rows: tables } = await pool.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1",
      [schema],
    );
    const result: Record<string, string[]> = {};
    for (const { name } of tables) {
      const { rows } = await pool.query<{ row: string }>(
        `SELECT t::text AS row FROM ${quoteIdentifier(schema)}.${quoteIdentifier(name)} t ORDER BY 1`,
      );
      result[name] = rows.map((row) => row.row);
    }
    return result;
  };
  /** Every index of a schema, by name, as PostgreSQL would write its definition. */
  const indexes = async (schema: string): Promise<Record<string, string>> => {
    const { rows } = await pool.query<{ name: string; definition: string }>(
      'SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = $1 ORDER BY 1',
      [schema],
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.definition]));
  };
  const everything = async (): Promise<Record<string, Record<string, string[]>>> =>
    Object.fromEntries(
      await Promise.all(projections.map(async (projection) => [projection.name, await contents(liveSchema(projection))] as const)),
    );
  const rebuild = (projection: Projection, options: Parameters<typeof startRebuild>[2] = {}, batchSize?: number): Promise<RebuildResult> =>
    startRebuild(projection, batchSize === undefined ? runtime : { ...runtime, batchSize }, options).done;
  const expectSwappedIdentical = (result: RebuildResult): void => {
    expect(
      result.outcome,
      JSON.stringify(result, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
    ).to.equal('swapped');
    if (result.outcome !== 'swapped') return;
    expect(result.check.kind).to.equal('compared');
    if (result.check.kind === 'compared') expect(result.check.comparison.identical).to.equal(true);
  };

  before(async () => {
    opened = await openPostgresEventStore();
    pool = opened.pool;
    runtime = {
      pool,
      lockConnection: { connectionString: opened.database.url.href },
      store: opened.store,
      registry: eventRegistry(domainEventDefinitions),
      log: testLog,
      standbyPollMs: 100,
      batchSize: 200,
    };
    await appendActivity(opened.store, { movies: 120, users: 40, actions: 1_500 });
    // The live read models, as the service's runners build them.
    await Promise.all(
      projections.map(
        (projection) =>
          runProjection(projection, runtime, { stateName: projection.name, schema: liveSchema(projection), untilCaughtUp: true }).done,
      ),
    );
  });
  after(async () => {
    await opened.close();
  });

  it('rebuilds every read model into tables equal to the live ones, and swaps them in', async () => {
    const before = await everything();
    expect(before.catalogue?.movies).to.have.length(120);
    expect(before.ratings?.user_ratings?.length).to.be.greaterThan(100);
    const indexesBefore = await Promise.all(projections.map((projection) => indexes(liveSchema(projection))));
    expect(indexesBefore.flatMap((byName) => Object.keys(byName))).to.have.length.greaterThan(15);
    // Side by side, with one read of the log for them all, as `rebuild --all` runs them.
    const results = await startRebuilds(projections, runtime).done;
    expect(results).to.have.length(projections.length);
    results.forEach(expectSwappedIdentical);
    expect(await everything()).to.deep.equal(before);
    // The indexes a rebuild makes only after its catch-up are all there again, as the DDL has them.
    expect(await Promise.all(projections.map((projection) => indexes(liveSchema(projection))))).to.deep.equal(indexesBefore);
    // The catalogue's vocabulary of title words (titles changed and archived among them) is rebuilt exact, with its trigram index.
    expect(before.catalogue?.title_words).to.have.length.greaterThan(5);
    const client = await pool.connect();
    try {
      await client.query('SET search_path TO rm_catalogue, public');
      const recounted = await client.query<{ row: string }>(`SELECT r::text AS row FROM (${recountedVocabulary}) r ORDER BY 1`);
      expect((await contents('rm_catalogue')).title_words).to.deep.equal(recounted.rows.map((row) => row.row));
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
    expect(Object.keys(await indexes('rm_catalogue'))).to.include('title_words_trigrams');
    const { rows: leftovers } = await pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm\\_%\\_\\_%'");
    expect(leftovers).to.deep.equal([]);
    const { rows: states } = await pool.query<{ name: string }>("SELECT name FROM projection_state WHERE name LIKE '%@rebuild'");
    expect(states).to.deep.equal([]);
  });

  it('resumes a rebuild stopped part-way, and comes to the same tables as a clean one', async () => {
    const ratings = byName('ratings');
    const before = await contents(liveSchema(ratings));
    let stopping: Promise<void> | undefined;
    const running = startRebuild(
      ratings,
      { ...runtime, batchSize: 25 },
      {
        observer: {
          progress: ({ applied }) => {
            if (applied >= 200) stopping ??= running.stop();
          },
        },
      },
    );
    const stopped = await running.done;
    await stopping;
    expect(stopped.outcome).to.equal('interrupted');
    const { rows } = await pool.query<{ position: string }>('SELECT position FROM projection_state WHERE name = $1', [
      rebuildStateName(ratings),
    ]);
    expect(BigInt(rows[0]?.position ?? -1) > -1n, 'the rebuild recorded how far it got').to.equal(true);
    const partial = await contents('rm_ratings__rebuild');
    expect(partial.user_ratings?.length ?? 0).to.be.within(1, (before.user_ratings?.length ?? 0) - 1);

    let resumedAt: bigint | undefined;
    const resumed = await rebuild(
      ratings,
      { observer: { started: ({ from, resumed: wasResumed }) => (resumedAt = wasResumed ? from : undefined) } },
      25,
    );
    expect(resumedAt).to.equal(BigInt(rows[0]?.position ?? -1));
    expectSwappedIdentical(resumed);
    const { rows: counts } = await pool.query<{ done: string; left: string }>(
      `SELECT count(*) FILTER (WHERE position <= $1) AS done, count(*) FILTER (WHERE position > $1) AS left
         FROM events WHERE type = ANY ($2)`,
      [rows[0]?.position, ratings.eventTypes],
    );
    expect(Number(counts[0]?.done)).to.be.greaterThan(0);
    expect(resumed.outcome === 'swapped' && resumed.applied, 'the resumed run applies only what was left').to.equal(
      Number(counts[0]?.left),
    );
    expect(await contents(liveSchema(ratings))).to.deep.equal(before);
    expect(Object.keys(await indexes(liveSchema(ratings)))).to.include.members(['movie_ratings_by_average', 'user_ratings_by_user_recent']);
  });

  it('rebuilds them all together when one of them resumes from part-way: it skips what its shadow has', async () => {
    const before = await everything();
    const ratings = byName('ratings');
    let stopping: Promise<void> | undefined;
    const partial = startRebuild(
      ratings,
      { ...runtime, batchSize: 25 },
      { observer: { progress: ({ applied }) => void (applied >= 150 && (stopping ??= partial.stop())) } },
    );
    expect((await partial.done).outcome).to.equal('interrupted');
    await stopping;
    // The others start from the beginning of the log, so the shared read does too; the ratings
    // shadow must take only what comes after its own checkpoint.
    const resumed = new Set<string>();
    const results = await startRebuilds(projections, runtime, (projection) => ({
      observer: { started: ({ resumed: wasResumed }) => void (wasResumed && resumed.add(projection.name)) },
    })).done;
    expect([...resumed]).to.deep.equal(['ratings']);
    results.forEach(expectSwappedIdentical);
    const after = await everything();
    // Table by table, each as its lines: a difference shows as the rows that differ.
    for (const [name, tables] of Object.entries(before)) {
      for (const [table, rows] of Object.entries(tables))
        expect(after[name]?.[table]?.join('\n'), `${name}.${table}`).to.equal(rows.join('\n'));
    }
  });

  it('keeps reads of the live tables answering, with the same rows, during and after the swap', async () => {
    const expected = await pool.query<{ movies: string; rated: string }>(
      'SELECT (SELECT count(*) FROM rm_catalogue.movies) AS movies, (SELECT count(*) FROM rm_catalogue.movies m JOIN rm_ratings.movie_ratings r USING (movie_id)) AS rated',
    );
    let reading = true;
    const failures: unknown[] = [];
    const answers: string[] = [];
    const readers = Array.from({ length: 4 }, async () => {
      while (reading) {
        try {
          const { rows } = await pool.query<{ movies: string; rated: string }>(
            'SELECT (SELECT count(*) FROM rm_catalogue.movies) AS movies, (SELECT count(*) FROM rm_catalogue.movies m JOIN rm_ratings.movie_ratings r USING (movie_id)) AS rated',
          );
          answers.push(JSON.stringify(rows[0]));
        } catch (error) {
          failures.push(error);
        }
      }
    });
    try {
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all([rebuild(byName('catalogue')), rebuild(byName('ratings'))]);
        results.forEach(expectSwappedIdentical);
      }
    } finally {
      // A failed rebuild must not leave the readers running (and filling memory) behind the failure.
      reading = false;
      await Promise.all(readers);
    }
    expect(failures).to.deep.equal([]);
    expect(answers.length).to.be.greaterThan(20);
    expect(new Set(answers)).to.deep.equal(new Set([JSON.stringify(expected.rows[0])]));
  });

  it('takes over from a running live runner, which carries on in the new tables after the swap', async () => {
    const catalogue = byName('catalogue');
    const live = runProjection(catalogue, runtime, { stateName: catalogue.name, schema: liveSchema(catalogue) });
    try {
      // The runner holds the lock once it has caught up.
      await appendActivity(opened.store, { movies: 1, users: 1, actions: 0, seed: 6 });
      await waitFor(async () => (await contents('rm_catalogue')).movies?.length === 121);
      const phases: string[] = [];
      const appending = appendActivity(opened.store, { movies: 30, users: 1, actions: 0, seed: 7 });
      const result = await rebuild(catalogue, { handOverWaitMs: 10_000, observer: { phase: (phase) => phases.push(phase) } });
      await appending;
      expect(result.outcome).to.equal('swapped');
      expect(phases).to.include.members(['hand-over', 'swap']);
      await appendActivity(opened.store, { movies: 5, users: 1, actions: 0, seed: 8 });
      await waitFor(async () => (await contents('rm_catalogue')).movies?.length === 156);
    } finally {
      await live.stop();
    }
    const check = await rebuild(catalogue);
    expectSwappedIdentical(check);
  });

  it('refuses to swap a rebuild that differs from the live read model, unless forced', async () => {
    const watchlists = byName('watchlists');
    const { rows } = await pool.query<{ user_id: string }>(
      "UPDATE rm_watchlists.watchlist_entries SET added_at = added_at + interval '1 day' WHERE ctid IN (SELECT ctid FROM rm_watchlists.watchlist_entries LIMIT 1) RETURNING user_id",
    );
    expect(rows).to.have.length(1);
    const refused = await rebuild(watchlists);
    expect(refused.outcome).to.equal('refused');
    if (refused.outcome !== 'refused' || refused.check.kind !== 'compared') throw new Error('expected a comparison');
    const [table] = refused.check.comparison.tables;
    expect(table?.table).to.equal('watchlist_entries');
    expect(table?.same).to.equal(false);
    expect(table?.onlyLive.join()).to.contain(rows[0]?.user_id);
    expect(table?.onlyShadow.join()).to.contain(rows[0]?.user_id);
    const forced = await rebuild(watchlists, { force: true });
    expect(forced.outcome).to.equal('swapped');
    expect(await rebuild(watchlists).then((result) => result.outcome)).to.equal('swapped');
  });

  it('finds a difference in a table whose rows are hashed from their text (the catalogue, with its tsvector)', async () => {
    const { rows } = await pool.query<{ movie_id: string }>(
      "UPDATE rm_catalogue.movies SET overview = overview || ' (edited by hand)' WHERE movie_id = (SELECT movie_id FROM rm_catalogue.movies ORDER BY movie_id LIMIT 1) RETURNING movie_id::text",
    );
    expect(rows).to.have.length(1);
    const refused = await rebuild(byName('catalogue'));
    expect(refused.outcome).to.equal('refused');
    if (refused.outcome !== 'refused' || refused.check.kind !== 'compared') throw new Error('expected a comparison');
    const movies = refused.check.comparison.tables.find((table) => table.table === 'movies');
    expect(movies?.same).to.equal(false);
    expect(movies?.onlyLive.join()).to.contain('(edited by hand)');
    expectSwappedIdentical(await rebuild(byName('catalogue'), { force: true }).then(() => rebuild(byName('catalogue'))));
  });

  it('does not compare a read model whose version changed, and records the version rebuilt', async () => {
    await pool.query("UPDATE projection_state SET version = 0 WHERE name = 'history'");
    const result = await rebuild(byName('history'));
    expect(result.outcome).to.equal('swapped');
    if (result.outcome === 'swapped')
      expect(result.check).to.deep.equal({ kind: 'skipped', reason: 'its version changed (0 → 1), so the tables may rightly differ' });
    const { rows } = await pool.query("SELECT version FROM projection_state WHERE name = 'history'");
    expect(rows).to.deep.equal([{ version: 1 }]);
  });

  it('starts over a rebuild left unfinished by another version of the projection', async () => {
    const trending = byName('trending');
    let stopping: Promise<void> | undefined;
    const other = startRebuild(
      { ...trending, version: trending.version + 1 },
      { ...runtime, batchSize: 10 },
      {
        observer: { progress: ({ applied }) => void (applied >= 50 && (stopping ??= other.stop())) },
      },
    );
    expect((await other.done).outcome).to.equal('interrupted');
    await stopping;
    let start: { from: bigint; discarded: boolean } | undefined;
    const result = await rebuild(trending, { observer: { started: (started) => (start = started) } });
    expect(start).to.deep.equal({ from: -1n, resumed: false, discarded: true });
    expectSwappedIdentical(result);
  });

  it('stops at an event the shadow cannot apply, parked under <name>@rebuild, and finishes once it is retried', async () => {
    const name = `spec_rb_${Date.now().toString(36)}`;
    await opened.store.appendToStream(streamName('movie', randomUUID()), [
      movieAdded(`${name} before`),
      movieAdded(`${name} poison`),
      movieAdded(`${name} after`),
    ]);
    const fine = titleRecorder(name);
    await runProjection(fine, runtime, { stateName: name, schema: liveSchema(fine), untilCaughtUp: true }).done;
    const broken = { now: true };
    const failing = titleRecorder(name, { poison: 'poison', broken });
    // Beside another rebuild: the failing one drops out of the shared catch-up, and its own runner parks the event.
    const [parked, other] = await startRebuilds([failing, byName('catalogue')], { ...runtime, retryDelaysMs: [10] }).done;
    expectSwappedIdentical(other ?? { outcome: 'busy', reason: 'no result' });
    if (parked === undefined) throw new Error('no result');
    expect(parked.outcome).to.equal('parked');
    if (parked.outcome === 'parked') expect(parked.error).to.equal('cannot apply poison');
    const { rows: letters } = await pool.query('SELECT event_type, resolution FROM projection_dead_letters WHERE projection = $1', [
      `${name}@rebuild`,
    ]);
    expect(letters).to.deep.equal([{ event_type: 'MovieAdded', resolution: null }]);
    expect((await contents(liveSchema(fine))).seen).to.have.length(3);
    // Still parked on a rerun: nothing is skipped silently.
    expect((await startRebuild(failing, runtime).done).outcome).to.equal('parked');
    broken.now = false;
    expect((await resolveParked(pool, `${name}@rebuild`, 'retried')).outcome).to.equal('retried');
    expectSwappedIdentical(await startRebuild(failing, runtime).done);
  });
});
