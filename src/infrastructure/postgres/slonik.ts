import { createPool, createTypeParserPreset, SchemaValidationError, type DatabasePool, type Interceptor } from 'slonik';
import { connectionTimeoutMs } from './pool.ts';

/**
 * Rows checked against the zod schema each query declares with `sql.type(…)` (slonik 47 takes zod;
 * only this interceptor makes it check), so a query's TypeScript type is what actually arrived.
 */
const resultParser: Interceptor = {
  name: 'fastflix-result-parser',
  transformRow: (context, query, row) => {
    const parser = context.resultParser;
    if (parser === undefined) return row;
    const parsed = parser.safeParse(row);
    if (!parsed.success) throw new SchemaValidationError(query, row, parsed.error.issues);
    return parsed.data as typeof row;
  },
};

/** How long an idle connection of a query pool is kept: ten minutes, so that a quiet spell does not cool every connection. */
const idleConnectionMs = 10 * 60_000;

/**
 * The pool query handlers read through: slonik over the same PostgreSQL as everything else. A query
 * running longer than `statementTimeoutMs` is cancelled by the server (the request answers 503): one
 * pathological search must not hold a connection, and the requests queued behind it, for a minute.
 */
export const createQueryPool = (url: URL, size: number, statementTimeoutMs: number): Promise<DatabasePool> => {
  const withName = new URL(url.href);
  withName.searchParams.set('application_name', 'fastflix-queries');
  // No parallel workers for requests: dozens of searches at once already keep every core busy, and
  // a worker per search only adds its start-up and hand-over (first-time searches on the
  // 1,000,000-movie catalogue at 50 connections: 40 requests/s with them, 52 without).
  const options = withName.searchParams.get('options');
  withName.searchParams.set('options', `${options === null ? '' : `${options} `}-c max_parallel_workers_per_gather=0`);
  return createPool(withName.href, {
    maximumPoolSize: size,
    statementTimeout: statementTimeoutMs,
    // slonik's default too, said here so that both pools give up on a connection alike.
    connectionTimeout: connectionTimeoutMs,
    // Idle connections are kept (slonik closes them after 5 s): a new backend pays a page fault for
    // each 4 KiB of shared buffers it reads, and a search over 6,500 titles on the 1,000,000-movie
    // catalogue took 100-170 ms on a fresh connection where it took 12-16 ms on one that had read
    // them before. So many connections held open at most is what DATABASE_POOL_SIZE is for.
    idleTimeout: idleConnectionMs,
    interceptors: [resultParser],
    // int8 as bigint (positions, counts), timestamps as Date, numeric as number.
    typeParsers: createTypeParserPreset(),
  });
};
