import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { runCli } from '../support/cliProcess.ts';
import { appendAccountHistory, appendViewing, type Account } from './support/auditLog.ts';

// `fastflix audit …` as an auditor runs it: a real process against a real database. Output on
// stdout, one line on stderr and exit code 1 for anything unknown or broken, never a stack trace.

describe('fastflix audit', function () {
  this.timeout(120_000);
  let opened: TestEventStore;
  let env: Record<string, string>;
  let folder: string;
  let ada: Account;
  let viewing: string;

  const cli = async (...args: string[]) => {
    const run = runCli(['audit', ...args], env);
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  };
  const failsCleanly = (result: { code: number | null; stderr: string }, message: RegExp): void => {
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.match(message);
    expect(result.stderr).to.not.match(/^\s+at /m);
  };

  before(async () => {
    opened = await openPostgresEventStore();
    ada = await appendAccountHistory(opened.store, 'ada');
    viewing = await appendViewing(opened.store, ada.userId);
    folder = await mkdtemp(join(tmpdir(), 'fastflix-audit-cli-'));
    env = { DATABASE_URL: opened.database.url.href, LOG_LEVEL: 'warn', FASTFLIX_DATA_DIR: folder };
  });
  after(async () => {
    await opened.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("prints a stream's events as a table and as JSON, and the state as of a point", async () => {
    const table = await cli('stream', ada.stream);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^revision\s+position\s+recorded at\s+type\s+actor\s+correlation\s+causation\n/);
    expect(table.stdout).to.match(/\n3\s+\d+\s+\S+Z\s+UserDeactivated\s+/);
    const json = JSON.parse((await cli('stream', ada.stream, '--json')).stdout) as { type: string; revision: string; position: string }[];
    expect(json.map((event) => event.type)).to.deep.equal(['UserRegistered', 'RoleChanged', 'PasswordChanged', 'UserDeactivated']);
    const asOf = await cli('as-of', ada.stream, '--at', json[1]?.position ?? '');
    expect(asOf.code, asOf.stderr).to.equal(0);
    expect(JSON.parse(asOf.stdout)).to.deep.include({ revision: '1', eventsFolded: 2, eventsAfter: 2 });
    expect((JSON.parse(asOf.stdout) as { state: unknown }).state).to.deep.include({
      status: 'active',
      role: 'admin',
      passwordHash: 'hash-1',
    });
  });

  it("lists a user's events and traces a request", async () => {
    const actor = await cli('actor', ada.userId, '--json');
    expect(actor.code, actor.stderr).to.equal(0);
    expect(JSON.parse(actor.stdout)).to.have.length(9);
    const [first] = JSON.parse(actor.stdout) as { correlationId: string; eventId: string }[];
    const trace = await cli('trace', first?.correlationId ?? '', '--json');
    expect(trace.code, trace.stderr).to.equal(0);
    expect((JSON.parse(trace.stdout) as { eventId: string }[]).map((event) => event.eventId)).to.deep.equal([first?.eventId]);
  });

  it('says plainly that a stream, user or correlation id is unknown, or a point is not one', async () => {
    failsCleanly(await cli('stream', 'movie-nothing'), /^fastflix: no stream movie-nothing in the log\n$/);
    failsCleanly(await cli('as-of', ada.stream, '--at', 'yesterday'), /^fastflix: --at: "yesterday" is neither a position/);
    failsCleanly(await cli('actor', 'nobody'), /^fastflix: no user nobody in the log/);
    failsCleanly(await cli('trace', 'nothing'), /^fastflix: no event in the log has correlation id nothing/);
    failsCleanly(await cli('verify', '--stream', 'movie-nothing'), /^fastflix: no stream movie-nothing in the log/);
  });

  it('verifies the log, and exits 1 naming the first break once an event was changed', async () => {
    const intact = await cli('verify');
    expect(intact.code, intact.stderr).to.equal(0);
    expect(intact.stdout).to.match(
      /^Verified 9 events in 2 stream\(s\) up to position \d+ .*every chain holds and every recorded head matches\.\n$/,
    );
    const tamperer = new pg.Client({ connectionString: opened.database.url.href });
    await tamperer.connect();
    const flip = `UPDATE events SET data = replace(data::text, '"score":3.5', '"score":3.4')::json WHERE stream_id = $1 AND revision = 2 RETURNING position`;
    try {
      await tamperer.query("SET session_replication_role = 'replica'");
      const { rows } = await tamperer.query<{ position: string }>(flip, [viewing]);
      const broken = await cli('verify');
      expect(broken.code).to.equal(1);
      expect(broken.stdout).to.contain(`First break: ${viewing} revision 2 (position ${rows[0]?.position}): content:`);
      const json = JSON.parse((await cli('verify', '--json')).stdout) as { intact: boolean; breaks: { kind: string; revision: string }[] };
      expect(json).to.deep.include({ intact: false });
      expect(json.breaks.map(({ kind, revision }) => [kind, revision])).to.deep.equal([['content', '2']]);
      expect((await cli('verify', '--stream', ada.stream)).code).to.equal(0);
    } finally {
      await tamperer.query(flip.replace('\'"score":3.5\', \'"score":3.4\'', '\'"score":3.4\', \'"score":3.5\''), [viewing]);
      await tamperer.end();
    }
    expect((await cli('verify')).code).to.equal(0);
  });

  it('exports the log to a file that verifies offline, and fails on an edit naming the line', async () => {
    const exported = await cli('export');
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.stderr).to.match(/Exported 9 events of 2 stream\(s\); body SHA-256 [0-9a-f]{64}\./);
    const path = join(folder, 'log.jsonl');
    await writeFile(path, exported.stdout);
    // No database: the check runs with nothing but the file.
    const offline = runCli(['audit', 'verify-export', path], {
      LOG_LEVEL: 'warn',
      FASTFLIX_DATA_DIR: folder,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(await offline.exited, offline.stderr()).to.equal(0);
    expect(offline.stdout()).to.match(/intact: 9 events of 2 stream\(s\)/);
    const lines = (await readFile(path, 'utf8')).split('\n');
    const at = lines.findIndex((line) => line.includes('"type":"PasswordChanged"'));
    lines[at] = lines[at]?.replace('"type":"PasswordChanged"', '"type":"PasswordReset"') ?? '';
    await writeFile(path, lines.join('\n'));
    failsCleanly(await cli('verify-export', path), new RegExp(`line ${at + 1}: .* does not match its hash`));
  });

  it('replays the read models into a schema, and refuses one that exists', async () => {
    const replayed = await cli('replay', '--to', '0', '--into', 'audit_cli');
    expect(replayed.code, replayed.stderr).to.equal(0);
    expect(replayed.stdout).to.match(/^Replayed every read model as of position 0 into schema audit_cli: movies, /);
    failsCleanly(await cli('replay', '--to', '0', '--into', 'audit_cli'), /schema audit_cli exists \(--force drops it/);
  });
});
