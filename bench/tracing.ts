import { createServer, type Server } from 'node:http';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { revisionBefore, unpackRevision } from './support/baseTree.ts';
import { describeMachine } from './support/environment.ts';
import { load, type LoadResult } from './support/load.ts';
import { fromBench, startHttpProcess, type RunningProcess } from './support/processes.ts';
import { round, table, whole } from './support/stats.ts';
import { freePort } from '../test/support/postgresServer.ts';

// What tracing costs the ratings command (`PUT /movies/:id/rating`, 50 connections), side by side in
// one run: the code from before tracing existed, the code now with tracing off (no
// OTEL_EXPORTER_OTLP_ENDPOINT: the API's no-op spans), and with tracing on, exporting every span over
// OTLP/HTTP to a sink in this process that answers 200. Each is a `fastflix serve` on its own embedded
// PostgreSQL; the rounds alternate between them, so that the noise of a shared machine falls on all.

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const admin = { email: 'bench-admin@fastflix.test', password: 'bench admin password' };

interface Variant {
  readonly name: string;
  readonly base: string;
  readonly movies: readonly string[];
  readonly users: readonly string[];
  readonly stop: () => Promise<void>;
}

const post = async (base: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
};

const startVariant = async (name: string, bin: string, env: Record<string, string>): Promise<Variant> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-bench-'));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service: RunningProcess;
  try {
    service = await startHttpProcess(
      [bin, 'serve'],
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        FASTFLIX_DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: String(await freePort()),
        FASTFLIX_ADMIN_EMAIL: admin.email,
        FASTFLIX_ADMIN_PASSWORD: admin.password,
        // Only the set-up's sign-ups are faster for it; ratings never hash a password.
        PASSWORD_HASH_COST: '10',
        ...env,
      },
      `${base}/readyz`,
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const adminToken = String((await post(base, '/auth/login', admin)).accessToken);
  const movies: string[] = [];
  for (let n = 0; n < 200; n++) {
    movies.push(
      String(
        (await post(base, '/movies', { title: `Bench movie ${n}`, year: 2000, genres: ['drama'], overview: 'Bench.' }, adminToken)).movieId,
      ),
    );
  }
  const users: string[] = [];
  for (let n = 0; n < 50; n++) {
    const email = `bench-user-${n}@fastflix.test`;
    await post(base, '/auth/register', { email, password: 'bench user password', displayName: `Bench ${n}` });
    users.push(String((await post(base, '/auth/login', { email, password: 'bench user password' })).accessToken));
  }
  return {
    name,
    base,
    movies,
    users,
    stop: async () => {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** An OTLP/HTTP receiver that reads and drops what it is sent, counting requests. */
const otlpSink = async (): Promise<{ readonly url: string; readonly received: () => number; readonly server: Server }> => {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count++;
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, received: () => count, server };
};

const ratingsOf =
  (variant: Variant) =>
  (request: autocannon.Request): autocannon.Request => ({
    ...request,
    method: 'PUT' as const,
    path: `/movies/${variant.movies[Math.floor(Math.random() * variant.movies.length)]}/rating`,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${variant.users[Math.floor(Math.random() * variant.users.length)]}`,
    },
    body: JSON.stringify({ score: (Math.floor(Math.random() * 10) + 1) / 2 }),
  });

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export const main = async (): Promise<void> => {
  const before = await unpackRevision(process.env.BENCH_WITHOUT ?? revisionBefore('src/infrastructure/tracing'));
  const sink = await otlpSink();
  const variants: Variant[] = [];
  try {
    variants.push(await startVariant(`without the tracing code (${before.commit})`, join(before.root, 'bin/fastflix.js'), {}));
    variants.push(await startVariant('tracing off (code loaded, no endpoint)', fromBench('bin/fastflix.js'), {}));
    variants.push(
      await startVariant('tracing on (OTLP/HTTP to a local sink)', fromBench('bin/fastflix.js'), { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }),
    );
    console.log(`${describeMachine()} · shared machine · each: fastflix serve on embedded PostgreSQL, 200 movies, 50 users`);
    console.log(`PUT /movies/:id/rating at 50 connections, ${rounds} rounds of ${seconds} s, the variants alternating\n`);
    for (const variant of variants) await load('warm-up', { url: variant.base, connections: 50, seconds: 2, request: ratingsOf(variant) });
    const results = new Map<Variant, LoadResult[]>(variants.map((variant) => [variant, []]));
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        results.get(variant)?.push(await load(variant.name, { url: variant.base, connections: 50, seconds, request: ratingsOf(variant) }));
      }
    }
    // Each round's figure over the baseline's in the same round: the load of a shared machine moves
    // all three from round to round, far more than tracing does.
    const baselineRuns = results.get(variants[0] as Variant) ?? [];
    console.log(
      table(
        [
          'variant',
          'median requests/s',
          'median of round ratios',
          'round ratios',
          'p50 ms (median)',
          'p99 ms (median)',
          'non-2xx / errors',
        ],
        variants.map((variant) => {
          const runs = results.get(variant) ?? [];
          const ratios = runs.map((result, index) => result.requestsPerSecond / (baselineRuns[index]?.requestsPerSecond ?? Number.NaN));
          return [
            variant.name,
            whole(median(runs.map((result) => result.requestsPerSecond))),
            `${round(median(ratios) * 100, 1)}%`,
            ratios.map((ratio) => `${Math.round(ratio * 100)}%`).join(' '),
            round(median(runs.map((result) => result.p50)), 1),
            round(median(runs.map((result) => result.p99)), 1),
            `${whole(runs.reduce((sum, result) => sum + result.non2xx, 0))} / ${whole(runs.reduce((sum, result) => sum + result.errors, 0))}`,
          ];
        }),
      ),
    );
    console.log(`\nOTLP export requests received by the sink: ${whole(sink.received())}`);
  } finally {
    for (const variant of variants) await variant.stop();
    sink.server.close();
    await before.remove();
  }
};
