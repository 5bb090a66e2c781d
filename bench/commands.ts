import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitAndSessionCost } from './limitAndSessionCost.ts';
import { describeMachine } from './support/environment.ts';
import { load, loadHeaders, loadRow } from './support/load.ts';
import { fromBench, startHttpProcess } from './support/processes.ts';
import { round, summarise, table, whole } from './support/stats.ts';
import { freePort } from '../test/support/postgresServer.ts';

// `PUT /movies/:id/rating` end to end over HTTP: `fastflix serve` on the embedded default (its own
// PostgreSQL from npm, nothing configured) in a process of its own, autocannon at 50 connections,
// random users rating random movies. In the same run, the same Koa stack answering a constant is the
// ceiling, and logins show what the scrypt cost allows. Then freshness: ratings sent at a fixed 1,000
// a second, and for each, the time from its answer (the events are committed) until the ratings read
// model announces a checkpoint at or past its position. Last, the same ratings against two API
// processes, one with the rate limiter and the ended-sessions check and one without (limitAndSessionCost.ts).

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const admin = { email: 'bench-admin@fastflix.test', password: 'bench admin password' };

const post = async (base: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
};

const inBatches = async <T>(count: number, width: number, make: (index: number) => Promise<T>): Promise<T[]> => {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, offset) => make(start + offset)))));
  }
  return results;
};

export const main = async (): Promise<void> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-bench-'));
  await chmod(dataDir, 0o755);
  const postgresPort = await freePort();
  const servicePort = await freePort();
  const base = `http://127.0.0.1:${servicePort}`;
  const service = await startHttpProcess(
    [fromBench('bin/fastflix.js'), 'serve'],
    {
      HOST: '127.0.0.1',
      PORT: String(servicePort),
      LOG_LEVEL: 'warn',
      FASTFLIX_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      FASTFLIX_ADMIN_EMAIL: admin.email,
      FASTFLIX_ADMIN_PASSWORD: admin.password,
      // To try another pool size: DATABASE_POOL_SIZE=40 npm run bench -- commands (40 was slower here than 10).
      ...(process.env.DATABASE_POOL_SIZE === undefined ? {} : { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }),
    },
    `${base}/readyz`,
  ).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const constantPort = await freePort();
  const constant = await startHttpProcess(
    ['--import', 'tsx', fromBench('bench/support/constantServer.ts')],
    { PORT: String(constantPort) },
    `http://127.0.0.1:${constantPort}/constant/1`,
  );
  try {
    console.log(`${describeMachine()} · the embedded default: embedded-postgres (PostgreSQL 18), nothing configured`);
    const adminToken = String((await post(base, '/auth/login', admin)).accessToken);
    const movies = await inBatches(500, 10, async (n) =>
      String(
        (
          await post(
            base,
            '/movies',
            { title: `Bench movie ${n}`, year: 2000 + (n % 25), genres: ['drama'], overview: 'For the benchmark.' },
            adminToken,
          )
        ).movieId,
      ),
    );
    const users = await inBatches(200, 4, async (n) => {
      const email = `bench-user-${n}@fastflix.test`;
      await post(base, '/auth/register', { email, password: 'bench user password', displayName: `Bench ${n}` });
      return String((await post(base, '/auth/login', { email, password: 'bench user password' })).accessToken);
    });
    console.log(`catalogue: ${movies.length} movies, ${users.length} signed-in users; each scenario ${seconds} s at 50 connections\n`);

    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
    const rating = (request: autocannon.Request): autocannon.Request => ({
      ...request,
      method: 'PUT' as const,
      path: `/movies/${pick(movies)}/rating`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pick(users)}` },
      body: JSON.stringify({ score: (Math.floor(Math.random() * 10) + 1) / 2 }),
    });
    const constantPut = (request: autocannon.Request): autocannon.Request => ({
      ...request,
      method: 'PUT' as const,
      path: `/constant/${pick(movies)}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pick(users)}` },
      body: JSON.stringify({ score: 4.5 }),
    });

    // Warm both up (JIT, pools, caches) before measuring.
    await load('warm-up', { url: `http://127.0.0.1:${constantPort}`, connections: 50, seconds: 2, request: constantPut });
    await load('warm-up', { url: base, connections: 50, seconds: 3, request: rating });

    const ceiling = await load('constant JSON, same Koa stack (ceiling)', {
      url: `http://127.0.0.1:${constantPort}`,
      connections: 50,
      seconds,
      request: constantPut,
    });
    const rated = await load('PUT /movies/:id/rating (auth, load, decide, append)', {
      url: base,
      connections: 50,
      seconds,
      request: rating,
    });
    const logins = await load('POST /auth/login (scrypt N=2^15)', {
      url: base,
      connections: 8,
      seconds: Math.min(seconds, 5),
      request: (request) => ({
        ...request,
        method: 'POST' as const,
        path: '/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `bench-user-${Math.floor(Math.random() * 200)}@fastflix.test`, password: 'bench user password' }),
      }),
    });
    console.log(table(loadHeaders, [ceiling, rated, logins].map(loadRow)));
    console.log(
      `\nrating commands at ${Math.round((rated.requestsPerSecond / ceiling.requestsPerSecond) * 100)}% of the constant-JSON ceiling`,
    );

    const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
    const databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${postgresPort}/fastflix`;
    // The target's rate, and half of what this machine just sustained: past saturation, the read
    // model's lag is the queue of writes; below it, the projector's own delay.
    const rates = [1_000, Math.max(50, Math.round(rated.requestsPerSecond / 2 / 50) * 50)];
    const measured = [];
    for (const rate of rates) measured.push(await freshness(base, databaseUrl, rating, rate));
    console.log(
      `\n${table(
        ['freshness at a fixed rate', 'commands/s sent', 'answered 2xx', 'visible', 'p50 ms', 'p99 ms', 'max ms'],
        measured.map((visible) => [
          'PUT rating answered → in the ratings read model',
          whole(visible.rate),
          whole(visible.answered),
          whole(visible.samples.length),
          round(visible.latency.p50, 1),
          round(visible.latency.p99, 1),
          round(visible.latency.max, 1),
        ]),
      )}`,
    );
    const [atTarget] = measured;
    if (atTarget !== undefined) {
      const met = atTarget.latency.p99 <= 100 && atTarget.samples.length === atTarget.answered;
      console.log(`target: p99 ≤ 100 ms at 1,000 commands/s: ${met ? 'met' : 'missed'}`);
    }
    const jwtSecret = (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
    await limitAndSessionCost({ databaseUrl, jwtSecret, seconds, rating });
  } finally {
    await constant.stop();
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

/**
 * Ratings at a fixed `rate` a second for `seconds`; each answered one waits for the ratings read
 * model's checkpoint announcement (LISTEN fastflix_projections, as read-your-writes uses) to pass its
 * position. Measured from the moment its answer arrived; 0 when the read model was there already.
 */
const freshness = async (
  base: string,
  databaseUrl: string,
  rating: (request: autocannon.Request) => autocannon.Request,
  rate: number,
): Promise<{ rate: number; answered: number; samples: number[]; latency: ReturnType<typeof summarise> }> => {
  const listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  let applied = -1n;
  let waiting: { position: bigint; at: number }[] = [];
  const samples: number[] = [];
  listener.on('notification', (message) => {
    const [name, position] = (message.payload ?? '').split(' ');
    if (name !== 'ratings' || position === undefined) return;
    const now = performance.now();
    applied = BigInt(position);
    waiting = waiting.filter((write) => {
      if (write.position > applied) return true;
      samples.push(now - write.at);
      return false;
    });
  });
  await listener.query('LISTEN fastflix_projections');
  let answered = 0;
  try {
    await autocannon({
      url: base,
      connections: 50,
      duration: seconds,
      overallRate: rate,
      requests: [
        {
          setupRequest: rating,
          onResponse: (status, body) => {
            if (status < 200 || status > 299) return;
            answered++;
            const position = BigInt((JSON.parse(body) as { position: string }).position);
            if (position <= applied) samples.push(0);
            else waiting.push({ position, at: performance.now() });
          },
        },
      ],
    });
    const deadline = Date.now() + 10_000;
    while (waiting.length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await listener.end();
  }
  return { rate, answered, samples, latency: summarise(samples) };
};
