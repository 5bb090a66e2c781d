import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { startReactors, type Reactor, type ReactorStatus } from '../../src/reactors/runtime/index.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { movieAdded } from '../projections/support/titleRecorder.ts';
import { runCli } from '../support/cliProcess.ts';
import { testLog } from '../support/postgresServer.ts';
import { waitFor } from '../support/waitFor.ts';

// `fastflix reactors status` as an operator runs it: a real process against a database where one
// reactor parked an event and another is behind the head.

describe('fastflix reactors status', function () {
  this.timeout(120_000);
  let opened: TestEventStore;
  let env: Record<string, string>;
  let dataDir: string;

  before(async () => {
    opened = await openPostgresEventStore();
    dataDir = await mkdtemp(join(tmpdir(), 'fastflix-cli-'));
    env = { DATABASE_URL: opened.database.url.href, LOG_LEVEL: 'warn', FASTFLIX_DATA_DIR: dataDir };
  });
  after(async () => {
    await opened.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]) => {
    const run = runCli(['reactors', 'status', ...args], env);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  };

  it('says so when no reactor has run yet', async () => {
    const { code, stdout, stderr } = await cli();
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal('no reactor has run against this database yet\n');
  });

  it("shows each reactor's checkpoint, how far behind the head it is, and the events it parked", async () => {
    const { store, pool } = opened;
    const failing: Reactor = {
      name: 'mailer',
      eventTypes: ['MovieAdded'],
      startAt: 'start',
      handle: (event) => (event.data.title === 'poison' ? Promise.reject(new Error('SMTP said no')) : Promise.resolve()),
    };
    const appended = await store.appendToStream(streamName('movie', randomUUID()), [movieAdded('fine'), movieAdded('poison')]);
    const head = appended.position ?? -1n;
    // The store's head trails a commit while any transaction older than it runs on the (shared) server.
    await waitFor(async () => ((await store.headPosition()) ?? -1n) >= head);
    const running = startReactors([failing], {
      pool,
      lockConnection: { connectionString: opened.database.url.href },
      store,
      log: testLog,
      retryDelaysMs: [10],
      standbyPollMs: 100,
    });
    try {
      await waitFor(async () => {
        const { rows } = await pool.query<{ position: string }>("SELECT position FROM reactor_state WHERE name = 'mailer'");
        return rows[0] !== undefined && BigInt(rows[0].position) >= head;
      });
    } finally {
      await running.stop();
    }
    // A reactor that stopped short of the head, as one that is still catching up.
    await pool.query("INSERT INTO reactor_state (name, position) VALUES ('slowpoke', $1)", [head - 1n]);

    const { code, stdout, stderr } = await cli('--json');
    expect(code, stderr).to.equal(0);
    const status = JSON.parse(stdout) as ReactorStatus[];
    expect(status.map((row) => [row.name, row.position, row.behind, row.parked.length])).to.deep.equal([
      ['mailer', String(head), 0, 1],
      ['slowpoke', String(head - 1n), 1, 0],
    ]);
    expect(status[0]?.parked[0]).to.deep.include({ eventType: 'MovieAdded', attempts: 2, error: 'SMTP said no' });

    const table = await cli();
    expect(table.stdout).to.match(/^name\s+position\s+behind\s+parked\s+updated$/m);
    expect(table.stdout).to.match(new RegExp(`^mailer\\s+${head}\\s+0\\s+1\\s`, 'm'));
    expect(table.stdout).to.match(/mailer: parked MovieAdded [0-9a-f-]{36} at \d+ after 2 attempts: SMTP said no/);
  });
});
