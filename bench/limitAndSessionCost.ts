import type autocannon from 'autocannon';
import { load, type LoadResult } from './support/load.ts';
import { fromBench, startHttpProcess, type RunningProcess } from './support/processes.ts';
import { round, table, whole } from './support/stats.ts';
import { freePort } from '../test/support/postgresServer.ts';

// Issue 18's target: ratings at 50 connections with the rate limiter and the ended-sessions check in
// place within 10% of the same run without them. Two API processes on the database of the service
// `bench/commands.ts` started (whose projector keeps working for both), started alike
// (support/apiServer.ts), one with `withoutLimitAndSessionCheck`. The rounds alternate which side goes
// first, so that the noise of a shared machine falls on both.

const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

const startApi = async (databaseUrl: string, jwtSecret: string, without: boolean): Promise<{ base: string; process: RunningProcess }> => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const process = await startHttpProcess(
    ['--import', 'tsx', fromBench('bench/support/apiServer.ts'), ...(without ? ['--without-limit-and-session-check'] : [])],
    { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, JWT_SECRET: jwtSecret, FASTFLIX_ROLES: 'api' },
    `${base}/readyz`,
  );
  return { base, process };
};

export const limitAndSessionCost = async (options: {
  readonly databaseUrl: string;
  readonly jwtSecret: string;
  readonly seconds: number;
  readonly rating: (request: autocannon.Request) => autocannon.Request;
}): Promise<void> => {
  const withThem = await startApi(options.databaseUrl, options.jwtSecret, false);
  const withoutThem = await startApi(options.databaseUrl, options.jwtSecret, true).catch(async (error: unknown) => {
    await withThem.process.stop();
    throw error;
  });
  try {
    const sides = [
      { name: 'with the limiter and the session check', base: withThem.base, results: [] as LoadResult[] },
      { name: 'without them', base: withoutThem.base, results: [] as LoadResult[] },
    ] as const;
    for (const side of sides) await load('warm-up', { url: side.base, connections: 50, seconds: 2, request: options.rating });
    for (let index = 0; index < rounds; index++) {
      for (const side of index % 2 === 0 ? sides : [...sides].reverse()) {
        side.results.push(
          await load(`${side.name}, round ${index + 1}`, {
            url: side.base,
            connections: 50,
            seconds: options.seconds,
            request: options.rating,
          }),
        );
      }
    }
    const mean = (results: readonly LoadResult[]): number =>
      results.reduce((sum, result) => sum + result.requestsPerSecond, 0) / results.length;
    console.log(
      `\n${table(
        ['PUT /movies/:id/rating, 50 connections', 'round', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx'],
        sides.flatMap((side) =>
          side.results.map((result, index) => [
            side.name,
            String(index + 1),
            whole(result.requestsPerSecond),
            round(result.p50, 1),
            round(result.p99, 1),
            whole(result.non2xx),
          ]),
        ),
      )}`,
    );
    const [guarded, unguarded] = sides.map((side) => mean(side.results));
    if (guarded === undefined || unguarded === undefined) return;
    const ratio = guarded / unguarded;
    console.log(
      `\nratings with the limiter and the session check: ${whole(guarded)}/s, without: ${whole(unguarded)}/s (means of ${rounds} rounds): ` +
        `${round(ratio * 100, 1)}% — target within 10%: ${ratio >= 0.9 ? 'met' : 'missed'}`,
    );
  } finally {
    await withThem.process.stop();
    await withoutThem.process.stop();
  }
};
