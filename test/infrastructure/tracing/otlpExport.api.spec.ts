import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli, waitForLog } from '../../support/cliProcess.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';
import { adminCredentials, adminEnvironment } from '../../support/scenario.ts';
import { testJwtSecret } from '../../support/testService.ts';
import { waitFor } from '../../support/waitFor.ts';

// `fastflix serve` as a user runs it, OTEL_EXPORTER_OTLP_ENDPOINT pointing at a receiver in this test
// (a plain HTTP server keeping what it is sent): the spans leave the process over OTLP/HTTP, the
// projector's from its own thread too.

interface Received {
  readonly path: string;
  readonly body: string;
}

describe('fastflix serve with OTEL_EXPORTER_OTLP_ENDPOINT', function () {
  this.timeout(120_000);
  let receiver: Server;
  let endpoint: string;
  const received: Received[] = [];
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'fastflix-otlp-'));
  });

  after(async () => {
    receiver.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const exported = (text: string): boolean => received.some((request) => request.body.includes(text));

  it("exports the request's, the command's and the projector thread's spans, and flushes them on SIGTERM", async () => {
    const run = runCli(['serve'], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url.href,
      JWT_SECRET: testJwtSecret,
      PASSWORD_HASH_COST: '10',
      FASTFLIX_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'fastflix-under-test',
      ...adminEnvironment,
    });
    const listening = await waitForLog(run, (line) => line.msg === 'FastFlix is listening');
    expect(run.logLines().filter((line) => line.msg === 'tracing: spans exported over OTLP')).to.have.length(3);
    const base = `http://127.0.0.1:${String(listening.port)}`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(adminCredentials),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const added = await fetch(`${base}/movies`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ title: 'Traced', year: 2001, genres: ['drama'], overview: 'Sent over OTLP.' }),
    });
    expect(added.status).to.equal(201);
    // The batch processor sends every 5 s by default; SIGTERM must flush what is left.
    await waitFor(() => exported('projection catalogue batch'), 30_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).to.equal(0);
    expect(received.every((request) => request.path === '/v1/traces')).to.equal(true);
    for (const name of ['POST /movies', 'command AddMovie', 'eventStore.append', 'projection catalogue batch', 'fastflix-under-test']) {
      expect(exported(name), name).to.equal(true);
    }
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variable, before starting anything', async () => {
    const run = runCli(['serve'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318', FASTFLIX_DATA_DIR: dataDir });
    expect(await run.exited).to.equal(1);
    expect(run.stderr()).to.include('OTEL_EXPORTER_OTLP_ENDPOINT must be');
  });
});
