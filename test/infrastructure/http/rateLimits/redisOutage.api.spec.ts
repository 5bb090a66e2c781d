import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { client, type Client } from '../../../support/http.ts';
import { capturingLogger } from '../../../support/logCapture.ts';
import { freePort } from '../../../support/postgresServer.ts';
import { logIn, register } from '../../../support/scenario.ts';
import { startTestService, type TestService } from '../../../support/testService.ts';
import { waitFor } from '../../../support/waitFor.ts';

// Issue 18, Faults: Redis stopped while the rate limits (and the live feed) use it, under two API
// processes sharing one database. Requests keep being answered and limited, in each process's
// memory, and /readyz says degraded rather than not ready; the outage is logged once and counted; when Redis returns the limits are shared through it
// again. The set of ended sessions does not use Redis at all: every process learns it from the event
// log (auth/endedSessions.ts), so a logout during the outage is refused on the other process, and no
// ended session is accepted when Redis returns. A Redis server of this spec's own, stopped and
// started by it; the shared one at 6379 is not touched.

/** A private redis-server on `port`, resolved once it says it accepts connections. */
const startRedis = async (port: number): Promise<ChildProcess> => {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s: ${output}`)), 10_000);
  })
    .catch((error: unknown) => {
      // Never leave a server of this spec running.
      server.kill('SIGKILL');
      throw error;
    })
    .finally(() => clearTimeout(timer));
  server.stdout?.resume();
  return server;
};

const stopRedis = async (server: ChildProcess): Promise<void> => {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
};

let nextAddress = 1;

/**
 * Wrong logins for `email` until one is refused: how many were let through (answered 401). Each call
 * comes from an address of its own (X-Forwarded-For, with TRUST_PROXY=1), so that only the account's
 * count is at stake and 127.0.0.1's logins stay free.
 */
const wrongLoginsAllowed = async (apis: readonly Client[], email: string): Promise<number> => {
  const headers = { 'X-Forwarded-For': `10.0.0.${nextAddress++}` };
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const api = apis[attempt % apis.length];
    if (api === undefined) throw new Error('no process to ask');
    const reply = await api.post('/auth/login', { email, password: 'not the password' }, { headers });
    if (reply.status === 429) return attempt;
    expect(reply.status, JSON.stringify(reply.body)).to.equal(401);
  }
  throw new Error('no wrong login was refused');
};

const faultsCounted = async (base: string): Promise<number> => {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  return Number(/^fastflix_rate_limit_store_faults_total (\d+)$/m.exec(metrics)?.[1] ?? 'NaN');
};

describe('a Redis outage under two API processes', function () {
  this.timeout(120_000);
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let first: TestService;
  let second: TestService;
  let firstApi: Client;
  let secondApi: Client;
  const firstLog = capturingLogger();
  /** The access token of the session ended during the outage, tried again once Redis is back. */
  let endedToken: string | undefined;

  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const environment = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, RATE_LIMIT_LOGIN_FAILURES: '4/1m', TRUST_PROXY: '1' };
    first = await startTestService(environment, undefined, firstLog.log);
    second = await startTestService({ ...environment, FASTFLIX_ROLES: 'api' }, first.database);
    firstApi = client(first.base);
    secondApi = client(second.base);
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    if (redis !== undefined) await stopRedis(redis);
  });

  it('shares the limits through Redis while it runs', async () => {
    const account = await register(firstApi);
    // One count for both processes: four wrong logins in all, whichever process each went to.
    expect(await wrongLoginsAllowed([firstApi, secondApi], account.email)).to.equal(4);
    expect(await faultsCounted(first.base)).to.equal(0);
  });

  it('while Redis is stopped, answers and limits in memory, logs the fault once and counts it, and refuses an ended session everywhere', async () => {
    const viewer = await register(firstApi);
    const session = await logIn(firstApi, viewer.email, viewer.password);
    const limited = await register(firstApi);
    if (redis !== undefined) await stopRedis(redis);
    redis = undefined;

    // Answered, with the general limit's headers, on both processes.
    for (const api of [firstApi, secondApi]) {
      const reply = await api.get('/movies');
      expect(reply.status).to.equal(200);
      expect(reply.headers.get('ratelimit-remaining')).to.match(/^\d+$/);
    }
    // Ready, degraded: a load balancer keeps both processes.
    for (const api of [firstApi, secondApi]) {
      const ready = await api.get('/readyz');
      expect(ready.status, JSON.stringify(ready.body)).to.equal(200);
      expect(ready.body.degraded).to.include('redis');
    }
    // Limited in this process's memory: four wrong logins on the first process, then 429.
    expect(await wrongLoginsAllowed([firstApi], limited.email)).to.equal(4);

    // A logout during the outage: the other process refuses the session's access token (it learns of
    // the logout from the event log; the wait is generous for a loaded machine, not a target).
    expect((await firstApi.post('/auth/logout', { refreshToken: session.refreshToken })).status).to.be.oneOf([200, 204]);
    await waitFor(async () => (await secondApi.get('/me', { token: session.accessToken })).status === 401, 10_000);
    expect((await firstApi.get('/me', { token: session.accessToken })).status).to.equal(401);

    // Many requests, one fault: logged once (at warn), counted once.
    for (let request = 0; request < 20; request += 1) expect((await firstApi.get('/movies')).status).to.equal(200);
    expect(await faultsCounted(first.base)).to.equal(1);
    const limiterLines = firstLog.records.filter((record) => /rate limits cannot reach Redis/.test(String(record.msg)));
    expect(limiterLines).to.have.length(1);
    expect(limiterLines[0]?.level).to.equal(40);
    // No other Redis user of the process logs more than once per outage either.
    const warnings = firstLog.records.filter((record) => Number(record.level) >= 40).map((record) => String(record.msg));
    expect(new Set(warnings).size, warnings.join('\n')).to.equal(warnings.length);
    endedToken = session.accessToken;
  });

  it('when Redis returns, shares the limits through it again, and the ended session stays ended', async () => {
    redis = await startRedis(redisPort);
    await waitFor(() => firstLog.records.some((record) => /rate limits reach Redis again/.test(String(record.msg))), 15_000);
    // The second process reconnects by itself too: wait until a limit it consumes shows up in Redis.
    const probe = new Redis({ port: redisPort, host: '127.0.0.1' });
    try {
      await waitFor(async () => {
        await secondApi.get('/movies');
        return (await probe.keys('fastflix:limit:requests*')).length > 0;
      }, 15_000);
      const account = await register(firstApi);
      expect(await wrongLoginsAllowed([firstApi, secondApi], account.email)).to.equal(4);
      expect((await probe.keys('fastflix:limit:login-failures-account*')).length).to.be.above(0);
    } finally {
      probe.disconnect();
    }
    const ready = await firstApi.get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body.degraded ?? []).not.to.include('redis');
    expect(endedToken).to.be.a('string');
    for (const api of [firstApi, secondApi]) expect((await api.get('/me', { token: endedToken })).status).to.equal(401);
    // Still one outage counted.
    expect(await faultsCounted(first.base)).to.equal(1);
  });
});
