import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type pg from 'pg';
import { domainEventDefinitions } from '../../../src/domain/events.ts';
import { eventRegistry } from '../../../src/infrastructure/eventStore/eventRegistry.ts';
import { streamName } from '../../../src/infrastructure/eventStore/streamName.ts';
import { catalogue as catalogueProjection } from '../../../src/projections/catalogue/projection.ts';
import { projections } from '../../../src/projections/index.ts';
import { liveSchema } from '../../../src/projections/runtime/projection.ts';
import { runProjection, type ProjectionRuntime } from '../../../src/projections/runtime/runProjection.ts';
import { appendActivity } from '../../projections/support/activityLog.ts';
import { movieAdded, titleRecorder } from '../../projections/support/titleRecorder.ts';
import { waitFor } from '../../support/waitFor.ts';
import { openPostgresEventStore, type TestEventStore } from '../eventStore/postgresTestStore.ts';
import { runCli } from '../../support/cliProcess.ts';
import { testLog } from '../../support/postgresServer.ts';

// `fastflix projections status|retry|skip|rebuild` as an operator runs them: a real process against
// a database whose read models the runtime built, with an event parked by a failing projection.

interface StatusRow {
  readonly name: string;
  readonly kind: string;
  readonly version: number | null;
  readonly status: string;
  readonly behind: number | null;
  readonly deadLetters: number;
  readonly error: string | null;
  readonly rebuildNeeded: boolean;
}

describe('fastflix projections', function () {
  this.timeout(120_000);
  let opened: TestEventStore;
  let pool: pg.Pool;
  let runtime: ProjectionRuntime;
  let env: Record<string, string>;
  let dataDir: string;

  const cli = async (...args: string[]) => {
    const run = runCli(['projections', ...args], env);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  };
  const status = async (): Promise<StatusRow[]> => {
    const { code, stdout, stderr } = await cli('status', '--json');
    expect(code, stderr).to.equal(0);
    return JSON.parse(stdout) as StatusRow[];
  };
  /** The live runner of the title recorder that fails on "poison", until it is caught up or parked. */
  const runUntilCaughtUp = (name: string) =>
    runProjection(titleRecorder(name, { poison: 'poison' }), runtime, {
      stateName: name,
      schema: `rm_${name}`,
      untilCaughtUp: true,
    }).done;
  /** A projection parked at its `poison` event by the runtime, as a failing projector leaves it. */
  const parkOne = async (): Promise<string> => {
    const name = `spec_cli_${randomUUID().slice(0, 6)}`;
    await opened.store.appendToStream(streamName('movie', randomUUID()), [
      movieAdded(`${name} before`),
      movieAdded(`${name} poison`),
      movieAdded(`${name} after`),
    ]);
    expect(await runUntilCaughtUp(name)).to.equal('parked');
    return name;
  };
  const letters = async (name: string) =>
    (
      await pool.query<{ position: string; resolution: string | null; resolved: boolean }>(
        'SELECT position, resolution, resolved_at IS NOT NULL AS resolved FROM projection_dead_letters WHERE projection = $1 ORDER BY id',
        [name],
      )
    ).rows;

  before(async () => {
    opened = await openPostgresEventStore();
    pool = opened.pool;
    runtime = {
      pool,
      lockConnection: { connectionString: opened.database.url.href },
      store: opened.store,
      registry: eventRegistry(domainEventDefinitions),
      log: testLog,
      retryDelaysMs: [10],
      standbyPollMs: 100,
    };
    dataDir = await mkdtemp(join(tmpdir(), 'fastflix-cli-'));
    env = { DATABASE_URL: opened.database.url.href, LOG_LEVEL: 'warn', FASTFLIX_DATA_DIR: dataDir };
    await appendActivity(opened.store, { movies: 60, users: 20, actions: 700 });
    await Promise.all(
      projections.map(
        (projection) =>
          runProjection(projection, runtime, { stateName: projection.name, schema: liveSchema(projection), untilCaughtUp: true }).done,
      ),
    );
  });
  after(async () => {
    await opened.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows each read model with its version, checkpoint, events behind and parked events', async () => {
    const parked = await parkOne();
    await opened.store.appendToStream(streamName('movie', randomUUID()), [movieAdded('one more')]);
    const rows = await status();
    const catalogue = rows.find((row) => row.name === 'catalogue');
    // Four movies added since it caught up: the three of the parked projection, and one more.
    expect(catalogue).to.include({
      kind: 'live',
      version: catalogueProjection.version,
      status: 'running',
      behind: 4,
      deadLetters: 0,
      error: null,
      rebuildNeeded: false,
    });
    expect(rows.find((row) => row.name === 'ratings')).to.include({ behind: 0 });
    expect(rows.find((row) => row.name === parked)).to.include({
      kind: 'unknown',
      status: 'stopped',
      deadLetters: 1,
      error: 'cannot apply poison',
    });
    const table = await cli('status');
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/^name\s+version\s+position\s+status\s+behind\s+dead letters\s+error/);
    expect(table.stdout).to.match(
      new RegExp(`${parked}\\s+1\\s+\\d+\\s+stopped \\(not in this build\\)\\s+\\?\\s+1\\s+cannot apply poison`),
    );
    expect(table.stdout).to.contain(`fastflix projections retry ${parked}`);
  });

  it('says a rebuild is needed when the version in the code is not the one that built the read model', async () => {
    await pool.query("UPDATE projection_state SET version = 0 WHERE name = 'history'");
    expect((await status()).find((row) => row.name === 'history')).to.include({ version: 0, rebuildNeeded: true });
    const table = await cli('status');
    expect(table.stdout).to.match(/history\s+0 \(code 1: rebuild needed\)/);
    expect(table.stdout).to.contain('run `fastflix projections rebuild history`');
    await pool.query("UPDATE projection_state SET version = 1 WHERE name = 'history'");
  });

  it('retries a parked event: recorded as retried, the projection running again and re-attempting it', async () => {
    const name = await parkOne();
    const retried = await cli('retry', name);
    expect(retried.code, retried.stderr).to.equal(0);
    expect(retried.stdout).to.match(
      new RegExp(`^Retrying MovieAdded .* at position \\d+ \\(cannot apply poison\\): ${name} is running again`),
    );
    expect((await letters(name)).map(({ resolution, resolved }) => ({ resolution, resolved }))).to.deep.equal([
      { resolution: 'retried', resolved: true },
    ]);
    expect((await pool.query('SELECT status, error FROM projection_state WHERE name = $1', [name])).rows).to.deep.equal([
      { status: 'running', error: null },
    ]);
    // The runtime re-attempts it; still failing, it is parked anew.
    expect(await runUntilCaughtUp(name)).to.equal('parked');
    expect((await letters(name)).map((letter) => letter.resolution)).to.deep.equal(['retried', null]);
  });

  it('skips a parked event: recorded as skipped with its time, the checkpoint past it, the projection running without it', async () => {
    const name = await parkOne();
    const skipped = await cli('skip', name);
    expect(skipped.code, skipped.stderr).to.equal(0);
    expect(skipped.stdout).to.contain(`recorded as skipped, the checkpoint is past it, and ${name} is running again without it`);
    const [letter] = await letters(name);
    expect(letter).to.include({ resolution: 'skipped', resolved: true });
    const { rows } = await pool.query<{ position: string; status: string }>(
      'SELECT position, status FROM projection_state WHERE name = $1',
      [name],
    );
    expect(rows[0]).to.deep.equal({ position: letter?.position, status: 'running' });
    expect(await runUntilCaughtUp(name)).to.equal('caught-up');
    expect((await pool.query(`SELECT title FROM rm_${name}.seen ORDER BY title`)).rows).to.deep.equal([
      { title: 'after' },
      { title: 'before' },
    ]);
  });

  it('refuses to retry or skip when nothing is parked, or the name is unknown', async () => {
    const retry = await cli('retry', 'catalogue');
    expect(retry.code).to.equal(1);
    expect(retry.stderr).to.equal('fastflix: catalogue is running, not stopped at a parked event: there is nothing to retry\n');
    const skip = await cli('skip', 'nonsense');
    expect(skip.code).to.equal(1);
    expect(skip.stderr).to.contain('no projection state named "nonsense"');
  });

  it('rebuilds a read model killed part-way, once rerun, into the same tables as the live one', async () => {
    const snapshot = async (): Promise<string[]> =>
      (await pool.query<{ row: string }>('SELECT t::text AS row FROM rm_ratings.user_ratings t ORDER BY 1')).rows.map((row) => row.row);
    const before = await snapshot();
    const killed = runCli(['projections', 'rebuild', 'ratings', '--batch-size', '3'], env);
    await waitFor(async () => {
      const { rows } = await pool.query<{ position: string }>("SELECT position FROM projection_state WHERE name = 'ratings@rebuild'");
      return BigInt(rows[0]?.position ?? -1) > -1n;
    }, 60_000);
    killed.child.kill('SIGKILL');
    expect(await killed.exited).to.equal(null);
    const { rows: left } = await pool.query("SELECT 1 FROM projection_state WHERE name = 'ratings@rebuild'");
    expect(left).to.have.length(1);

    const resumed = await cli('rebuild', 'ratings');
    expect(resumed.code, resumed.stderr + resumed.stdout).to.equal(0);
    expect(resumed.stdout).to.match(/ratings: resuming the rebuild after position \d+/);
    expect(resumed.stdout).to.match(/ratings: rebuilt from [\d,]+ events in [\d.]+ s .*; swapped in at position \d+\./);
    expect(resumed.stdout).to.match(/user_ratings: identical \([\d,]+ rows\)/);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('stops a rebuild on Ctrl-C after the batch in hand, and says how to continue', async () => {
    const run = runCli(['projections', 'rebuild', '--all', '--batch-size', '2'], env);
    await waitFor(
      async () => (await pool.query("SELECT 1 FROM projection_state WHERE name = 'ratings@rebuild' AND position > -1")).rowCount === 1,
      60_000,
    );
    run.child.kill('SIGINT');
    expect(await run.exited).to.equal(130);
    expect(run.stdout()).to.match(/ratings: interrupted after [\d,]+ events, at position \d+; rerun to continue from there\./);
    const again = await cli('rebuild', '--all');
    expect(again.code, again.stderr + again.stdout).to.equal(0);
    expect(again.stdout.match(/swapped in at position/g)).to.have.length(projections.length);
    expect((await status()).filter((row) => row.kind === 'rebuild')).to.deep.equal([]);
  });

  it('names the read models when asked to rebuild one it does not know', async () => {
    const unknown = await cli('rebuild', 'nonsense');
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.equal(`fastflix: no projection named "nonsense" (there are: ${projections.map((p) => p.name).join(', ')})\n`);
  });
});
