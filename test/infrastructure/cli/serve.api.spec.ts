import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli, waitForLog } from '../../support/cliProcess.ts';
import { createTestDatabase, freePort, type TestDatabase } from '../../support/postgresServer.ts';

// The service as a new user runs it: `fastflix serve` in a process of its own.

const portIsOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('fastflix serve', function () {
  this.timeout(120_000);

  describe('with no DATABASE_URL', () => {
    let dataDir: string;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'fastflix-serve-'));
      await chmod(dataDir, 0o755);
    });
    after(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('starts the embedded PostgreSQL, serves, and on SIGTERM stops it and exits cleanly', async () => {
      const postgresPort = await freePort();
      const run = runCli(['serve'], {
        PORT: '0',
        HOST: '127.0.0.1',
        FASTFLIX_DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(postgresPort),
        LOG_LEVEL: 'info',
      });
      const listening = await waitForLog(run, (line) => line.msg === 'FastFlix is listening');
      expect(listening.embeddedPostgres).to.equal(true);
      const base = `http://127.0.0.1:${String(listening.port)}`;
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.include({ status: 'ready' });
      // The projector runs in a thread of its own: its metrics come with the API's, each family once.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).to.match(/^fastflix_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 1$/m);
      expect(metrics).to.match(/^# TYPE fastflix_projection_lag_events gauge$/m);
      const families = metrics.split('\n').filter((line) => line.startsWith('# TYPE '));
      expect(new Set(families).size).to.equal(families.length);
      expect(run.logLines().some((line) => line.thread === 'projector' && line.msg === 'projector started')).to.equal(true);
      expect((await stat(join(dataDir, 'postgres', 'PG_VERSION'))).isFile()).to.equal(true);
      expect((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777).to.equal(0o600);

      run.child.kill('SIGTERM');
      expect(await run.exited).to.equal(0);
      expect(await portIsOpen(postgresPort)).to.equal(false);
    });

    it('keeps the data across restarts', async () => {
      const postgresPort = await freePort();
      const run = runCli(['serve'], {
        PORT: '0',
        HOST: '127.0.0.1',
        FASTFLIX_DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(postgresPort),
        LOG_LEVEL: 'info',
      });
      await waitForLog(run, (line) => line.msg === 'FastFlix is listening');
      // The cluster was initialised by the first run; this one only started it.
      expect(run.logLines().some((line) => line.msg === 'initialising embedded PostgreSQL')).to.equal(false);
      run.child.kill('SIGINT');
      expect(await run.exited).to.equal(0);
    });
  });

  describe('with DATABASE_URL', () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase();
    });
    after(async () => {
      await database.drop();
    });

    it('uses that server', async () => {
      const run = runCli(['serve'], {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url.href,
        LOG_LEVEL: 'info',
        FASTFLIX_DATA_DIR: tmpdir(),
      });
      const listening = await waitForLog(run, (line) => line.msg === 'FastFlix is listening');
      expect(listening.embeddedPostgres).to.equal(false);
      run.child.kill('SIGTERM');
      expect(await run.exited).to.equal(0);
    });
  });

  describe('when it cannot start', () => {
    it('names a bad variable in one line and exits 1', async () => {
      const run = runCli(['serve'], { PORT: 'eighty', REDIS_URL: 'http://x' });
      expect(await run.exited).to.equal(1);
      expect(run.stderr().trim().split('\n')).to.have.length(1);
      expect(run.stderr()).to.match(
        /^fastflix: Invalid configuration: PORT must be an integer from 0 to 65535, got "eighty"; REDIS_URL must be/,
      );
    });

    it('says the database cannot be reached, without a stack trace, and exits 1', async () => {
      const port = await freePort();
      const run = runCli(['serve'], { DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/none` });
      expect(await run.exited).to.equal(1);
      expect(run.stderr()).to.match(
        /^fastflix: cannot connect to DATABASE_URL \(postgres:\/\/nobody@127\.0\.0\.1:\d+\/none\): .*ECONNREFUSED/,
      );
      expect(run.stderr()).not.to.match(/\n\s+at /);
    });

    it('refuses production without a JWT secret', async () => {
      const run = runCli(['serve'], { NODE_ENV: 'production' });
      expect(await run.exited).to.equal(1);
      expect(run.stderr()).to.match(/JWT_SECRET must be set when NODE_ENV=production/);
    });
  });
});
