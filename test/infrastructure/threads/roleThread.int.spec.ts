import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { EventToAppend } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { startRoleThread } from '../../../src/infrastructure/threads/roleThread.ts';
import { capturingLogger } from '../../support/logCapture.ts';
import { movieAdded } from '../../projections/support/titleRecorder.ts';
import { waitFor } from '../../support/waitFor.ts';
import { openPostgresEventStore, type TestEventStore } from '../eventStore/postgresTestStore.ts';

// The projector and the scheduler as `fastflix serve` runs them by default: each in a worker thread of
// the API's process, sharing nothing with it but the database.

const movieRated = (userId: string, movieId: string): EventToAppend => ({
  eventId: randomUUID(),
  type: 'MovieRated',
  schemaVersion: 1,
  data: { userId, movieId, score: 4.5, previousScore: null },
  metadata: { occurredAt: new Date().toISOString(), actorId: userId, correlationId: 'c', causationId: null },
});

/** How many threads of this process run at the given nice value (field 19 of /proc/…/task/…/stat). */
const threadsNiced = (nice: number): number =>
  readdirSync('/proc/self/task').filter((task) => {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === nice;
  }).length;

describe('role threads', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  before(async () => {
    opened = await openPostgresEventStore();
  });
  after(async () => {
    await opened.close();
  });

  const settings = (poolSize = 4) => ({ databaseUrl: opened.database.url.href, eventStoreUrl: undefined, poolSize });

  /** The rows of a query on `table`; none while the table is not made yet (the thread makes it). */
  const rowsOnceMade = async <Row extends Record<string, unknown>>(table: string, text: string): Promise<Row[]> => {
    const made = (await opened.pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]?.t;
    return made == null ? [] : (await opened.pool.query<Row>(text)).rows;
  };

  const projectorConnections = async (): Promise<number> =>
    Number(
      (
        await opened.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'fastflix-projector%'",
        )
      ).rows[0]?.n,
    );

  it('builds the read models from events appended elsewhere, reports its metrics and logs through this thread, and lets go of everything when stopped', async () => {
    const { log, records } = capturingLogger();
    const thread = await startRoleThread('projector', settings(), log);
    let stopped = false;
    try {
      const titles = ['Alpha', 'Beta', "Gamma's"];
      await opened.store.appendToStream(
        streamName('movie', randomUUID()),
        titles.map((title) => movieAdded(title)),
      );
      const rows = async (): Promise<string[]> =>
        (await rowsOnceMade<{ title: string }>('rm_catalogue.movies', 'SELECT title FROM rm_catalogue.movies ORDER BY title')).map(
          (row) => row.title,
        );
      await waitFor(async () => (await rows()).length === titles.length);
      expect(await rows()).to.deep.equal(titles);

      // Counted once the thread has seen its commit, and the lag measured soon after it caught up.
      await waitFor(async () => /^fastflix_projection_events_applied_total\{projection="catalogue"\} 3$/m.test(await thread.metrics()));
      await waitFor(async () => /^fastflix_projection_lag_events\{projection="catalogue"\} 0$/m.test(await thread.metrics()));
      expect(await projectorConnections()).to.be.greaterThan(0);

      await thread.stop();
      stopped = true;
      expect(await thread.metrics()).to.equal('');
      await waitFor(async () => (await projectorConnections()) === 0);
      // Its log lines came through this thread's logger, marked as the projector's.
      expect(records.some((record) => record.thread === 'projector' && record.msg === 'projector stopped')).to.equal(true);
    } finally {
      if (!stopped) await thread.stop();
    }
  });

  it('runs the scheduler beside the projector: the similarity tables follow the ratings the projector applied', async () => {
    const { log } = capturingLogger();
    const projector = await startRoleThread('projector', settings(), log);
    // The similarity job runs at start, likely before the projector applied these ratings, then every second.
    const scheduler = await startRoleThread('scheduler', { ...settings(), similarityRefreshIntervalMs: 1_000 }, log);
    try {
      const [alice, bob, matrix, zion] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      for (const user of [alice, bob]) {
        for (const movie of [matrix, zion]) {
          await opened.store.appendToStream(streamName('viewing', `${user}_${movie}`), [movieRated(user, movie)]);
        }
      }
      const neighbours = (): Promise<unknown[]> =>
        rowsOnceMade('similarity.item_neighbours', 'SELECT movie_id FROM similarity.item_neighbours');
      await waitFor(async () => (await neighbours()).length > 0, 20_000);
      // Its work waits for nobody: its thread runs at a lower priority than the others (Linux).
      if (process.platform === 'linux') expect(threadsNiced(10)).to.equal(1);
    } finally {
      await scheduler.stop();
      await projector.stop();
    }
  });

  it('starts a thread that dies again, logging why, until it is stopped', async () => {
    const { log, records } = capturingLogger();
    const thread = await startRoleThread('projector', settings(1), log, {
      entry: new URL('./support/crashingWorker.ts', import.meta.url),
      restartDelayMs: 20,
    });
    const starts = (): number => records.filter((record) => record.msg === 'crashing worker started').length;
    await waitFor(() => Promise.resolve(starts() >= 3));
    expect(
      records.some(
        (record) =>
          record.msg === 'the projector thread failed' &&
          String((record.err as { message?: string } | undefined)?.message).includes('crashed'),
      ),
    ).to.equal(true);
    expect(records.some((record) => String(record.msg).startsWith('the projector thread exited; starting it again'))).to.equal(true);
    await thread.stop();
    const after = starts();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(starts()).to.equal(after);
  });

  it('fails to start, with the reason, when its database cannot be reached', async () => {
    const { log } = capturingLogger();
    const unreachable = new URL(opened.database.url.href);
    unreachable.port = '1';
    const starting = startRoleThread('projector', { ...settings(1), databaseUrl: unreachable.href }, log);
    await starting.then(
      () => expect.fail('it must not start'),
      (error: unknown) => expect(String(error)).to.match(/ECONNREFUSED|connect/),
    );
  });
});
