import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli, waitForLog } from '../../support/cliProcess.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';
import { testJwtSecret } from '../../support/testService.ts';

// `fastflix serve --role …`, as docker-compose.yml runs each process: the flag wins over
// FASTFLIX_ROLES (serveRole.api.spec.ts of the jobs branch checks the roles named and refusals).

describe('fastflix serve --role over FASTFLIX_ROLES', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dataDir: string;
  before(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'fastflix-role-'));
  });
  after(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const environment = (): Record<string, string> => ({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url.href,
    JWT_SECRET: testJwtSecret,
    FASTFLIX_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  });

  it('runs only the projector when told so, over FASTFLIX_ROLES=api: no API routes, the projector thread started', async () => {
    const run = runCli(['serve', '--role', 'projector'], { ...environment(), FASTFLIX_ROLES: 'api' });
    const listening = await waitForLog(run, (line) => line.msg === 'FastFlix is listening');
    expect(listening.roles).to.deep.equal(['projector']);
    const base = `http://127.0.0.1:${String(listening.port)}`;
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    expect((await fetch(`${base}/movies`)).status).to.equal(404);
    expect(run.logLines().some((line) => line.thread === 'projector' && line.msg === 'projector started')).to.equal(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).to.equal(0);
  });
});
