import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type autocannon from 'autocannon';
import { importMovieLens } from '../src/commands/importMovieLens/handler.ts';
import { domainEventDefinitions } from '../src/domain/events.ts';
import type { Uuid } from '../src/domain/shared/codecs.ts';
import { createTokenService } from '../src/infrastructure/auth/tokens.ts';
import { eventRegistry } from '../src/infrastructure/eventStore/eventRegistry.ts';
import { freePort } from '../test/support/postgresServer.ts';
import { seededRandom } from '../test/support/seededRandom.ts';
import { openLoop, type Answer, type PlannedRequest } from './support/arrivals.ts';
import { describeMachine } from './support/environment.ts';
import { load, loadHeaders, loadRow } from './support/load.ts';
import { fromBench, startHttpProcess } from './support/processes.ts';
import { startBenchService, waitUntilCaughtUp, type BenchService } from './support/service.ts';
import { round, summarise, table, whole } from './support/stats.ts';

// Real traffic is a mix: `fastflix serve` (embedded default, its own process) on the MovieLens
// ml-latest-small catalogue, its imported users signed in, sent requests at a fixed arrival rate
// (BENCH_RATE a second for BENCH_SECONDS, at most 50 connections; an open loop, bench/support/arrivals.ts)
// of 70% reads (search, movie detail, trending, also-watched, recommendations, watchlist) and 30%
// writes (ratings, watches, watchlist changes) by many users. Printed per kind: throughput,
// p50/p95/p99 from when each request was due, answers by status; then how long the read models took to
// apply the last write once the load stopped, and the constant-JSON ceiling of the same Koa stack
// measured in the same run.

const rate = Number(process.env.BENCH_RATE ?? 1_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = 50;
const aloneSeconds = Number(process.env.BENCH_ALONE_SECONDS ?? 4);
const dataset = fromBench('../shared/data/movielens/ml-latest-small');

/** Each kind's share of the requests (per mille), and how to make one. */
const kinds = (catalogue: Catalogue): { kind: string; weight: number; make: () => PlannedRequest }[] => {
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const user = (): string => pick(catalogue.tokens);
  return [
    {
      kind: 'search',
      weight: 200,
      make: () => ({ kind: 'search', method: 'GET', path: `/movies?q=${encodeURIComponent(pick(catalogue.words))}` }),
    },
    { kind: 'movie detail', weight: 200, make: () => ({ kind: 'movie detail', method: 'GET', path: `/movies/${pick(catalogue.movies)}` }) },
    {
      kind: 'trending',
      weight: 100,
      make: () => ({ kind: 'trending', method: 'GET', path: `/movies/trending?window=${random() < 0.5 ? '24h' : '7d'}` }),
    },
    {
      kind: 'also-watched',
      weight: 50,
      make: () => ({ kind: 'also-watched', method: 'GET', path: `/movies/${pick(catalogue.movies)}/also-watched` }),
    },
    {
      kind: 'recommendations',
      weight: 100,
      make: () => ({ kind: 'recommendations', method: 'GET', path: '/me/recommendations', token: user() }),
    },
    { kind: 'watchlist', weight: 50, make: () => ({ kind: 'watchlist', method: 'GET', path: '/me/watchlist', token: user() }) },
    {
      kind: 'rate',
      weight: 150,
      make: () => ({
        kind: 'rate',
        method: 'PUT',
        path: `/movies/${pick(catalogue.movies)}/rating`,
        token: user(),
        body: { score: (1 + Math.floor(random() * 10)) / 2 },
      }),
    },
    {
      kind: 'watch',
      weight: 80,
      make: () => ({ kind: 'watch', method: 'POST', path: `/movies/${pick(catalogue.movies)}/watched`, token: user(), body: {} }),
    },
    {
      kind: 'watchlist change',
      weight: 70,
      make: () => ({
        kind: 'watchlist change',
        method: random() < 0.6 ? 'PUT' : 'DELETE',
        path: `/me/watchlist/${pick(catalogue.movies)}`,
        token: user(),
      }),
    },
  ];
};

interface Catalogue {
  readonly movies: readonly string[];
  readonly words: readonly string[];
  readonly tokens: readonly string[];
}

const prepare = async (service: BenchService): Promise<Catalogue> => {
  const started = Date.now();
  const imported = await importMovieLens({ store: service.store, registry: eventRegistry(domainEventDefinitions) }, dataset, {
    concurrency: 512,
  });
  console.log(
    `ml-latest-small imported: ${whole(imported.movies)} movies, ${whole(imported.ratings)} ratings in ${round((Date.now() - started) / 1000, 0)} s`,
  );
  await waitUntilCaughtUp(service, 'import');
  await service.pool.query('VACUUM (ANALYZE) rm_catalogue.movies, rm_catalogue.title_words, rm_ratings.movie_ratings');
  const movies = (await service.pool.query<{ movie_id: string; title: string }>('SELECT movie_id, title FROM rm_catalogue.movies')).rows;
  const words = [
    ...new Set(
      movies.flatMap((movie) =>
        movie.title
          .toLowerCase()
          .split(/[^\p{L}\p{N}']+/u)
          .filter((word) => word.length >= 4),
      ),
    ),
  ];
  // Every imported user who rated something (MovieLens users exist as accounts), signed in as the service signs them.
  const users = (await service.pool.query<{ user_id: string }>('SELECT DISTINCT user_id FROM rm_ratings.user_ratings')).rows;
  const tokens = createTokenService({
    secret: service.jwtSecret,
    accessTokenTtlSeconds: 3_600,
    refreshTokenTtlSeconds: 3_600,
    nowSeconds: () => Math.floor(Date.now() / 1000),
  });
  return {
    movies: movies.map((movie) => movie.movie_id),
    words,
    tokens: users.map((row) => tokens.issueAccessToken({ sub: row.user_id as Uuid, role: 'user', sid: randomUUID() as Uuid }).token),
  };
};

const weighted = (choices: ReturnType<typeof kinds>): (() => PlannedRequest) => {
  const random = seededRandom(11);
  const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
  return () => {
    let roll = random() * total;
    for (const choice of choices) {
      roll -= choice.weight;
      if (roll < 0) return choice.make();
    }
    return (choices[0] as (typeof choices)[number]).make();
  };
};

const asAutocannon =
  (make: () => PlannedRequest) =>
  (request: autocannon.Request): autocannon.Request => {
    const planned = make();
    return {
      ...request,
      method: planned.method,
      path: planned.path,
      headers: {
        ...(planned.token === undefined ? {} : { authorization: `Bearer ${planned.token}` }),
        ...(planned.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(planned.body === undefined ? {} : { body: JSON.stringify(planned.body) }),
    };
  };

const byStatus = (answers: readonly Answer[]): string => {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === 0 ? 'error' : status} × ${whole(count)}`)
    .join(', ');
};

export const main = async (): Promise<void> => {
  if (!existsSync(`${dataset}/ratings.csv`)) {
    console.log(`skipped: the MovieLens data set is not at ${dataset}`);
    return;
  }
  const service = await startBenchService();
  const constantPort = await freePort();
  const constant = await startHttpProcess(
    ['--import', 'tsx', fromBench('bench/support/constantServer.ts')],
    { PORT: String(constantPort) },
    `http://127.0.0.1:${constantPort}/constant/1`,
  );
  try {
    console.log(`${describeMachine()} · shared machine · fastflix serve on the embedded default (PostgreSQL 18)`);
    const catalogue = await prepare(service);
    const choices = kinds(catalogue);
    console.log(
      `${whole(catalogue.movies.length)} movies, ${whole(catalogue.tokens.length)} signed-in users; ${whole(rate)} requests/s due for ${seconds} s at up to ${connections} connections: ` +
        choices.map((choice) => `${choice.kind} ${choice.weight / 10}%`).join(', '),
    );
    await openLoop({ base: service.base, rate: rate / 2, seconds: 3, connections, next: weighted(choices) });
    const constantRequest = (request: autocannon.Request): autocannon.Request => ({
      ...request,
      method: 'GET' as const,
      path: '/constant/1',
    });
    await load('warm-up', { url: `http://127.0.0.1:${constantPort}`, connections, seconds: 2, request: constantRequest });
    const ceiling = await load('constant JSON, same Koa stack (ceiling)', {
      url: `http://127.0.0.1:${constantPort}`,
      connections,
      seconds: 10,
      request: constantRequest,
    });

    const startedAt = performance.now();
    const answers = await openLoop({ base: service.base, rate, seconds, connections, next: weighted(choices) });
    const elapsed = (performance.now() - startedAt) / 1000;
    const lagMs = await waitUntilCaughtUp(service, 'after the load', 20);

    const rows = [...choices.map((choice) => choice.kind), 'all'].map((kind) => {
      const mine = kind === 'all' ? answers : answers.filter((answer) => answer.kind === kind);
      const latency = summarise(mine.map((answer) => answer.ms));
      return [
        kind,
        whole(mine.length),
        whole(mine.length / elapsed),
        round(latency.p50, 1),
        round(latency.p95, 1),
        round(latency.p99, 1),
        byStatus(mine),
      ];
    });
    console.log(`\n${table(['kind', 'requests', 'answered/s', 'p50 ms', 'p95 ms', 'p99 ms', 'answers by status'], rows)}`);
    const ok = answers.filter((answer) => answer.status >= 200 && answer.status < 300).length;
    const errors = answers.filter((answer) => answer.status === 0 || answer.status >= 500).length;
    const all = summarise(answers.map((answer) => answer.ms));
    console.log(
      `\nthroughput ${whole(answers.length / elapsed)} requests/s (${whole(ok)} 2xx, ${whole(errors)} 5xx or connection errors) over ${round(elapsed, 1)} s; ` +
        `the constant-JSON ceiling ${whole(ceiling.requestsPerSecond)} requests/s (mix at ${round((answers.length / elapsed / ceiling.requestsPerSecond) * 100, 1)}% of it)`,
    );
    console.log(`projection lag after the load stopped: every read model at the head ${round(lagMs, 0)} ms later`);
    // Where the time goes: each kind alone, closed loop (autocannon) at 50 connections, what it sustains.
    const alone = [];
    for (const choice of choices) {
      alone.push(
        await load(`${choice.kind} alone`, { url: service.base, connections, seconds: aloneSeconds, request: asAutocannon(choice.make) }),
      );
    }
    console.log(`\n${table(loadHeaders, alone.map(loadRow))}`);
    const met = answers.length / elapsed >= 2_000 && all.p99 <= 100 && errors === 0 && lagMs <= 1_000;
    console.log(`targets (≥ 2,000 requests/s, p99 ≤ 100 ms, no errors, lag back to 0 within 1 s): ${met ? 'met' : 'missed'}`);
  } finally {
    await constant.stop();
    await service.stop();
  }
};
