import autocannon from 'autocannon';
import { round, whole } from './stats.ts';

export interface LoadResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly total: number;
}

/** autocannon with `connections` keep-alive connections for `seconds`; `request` shapes each request. */
export const load = async (
  name: string,
  options: {
    readonly url: string;
    readonly connections: number;
    readonly seconds: number;
    readonly request: (request: autocannon.Request) => autocannon.Request;
  },
): Promise<LoadResult> => {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [{ setupRequest: (request) => options.request(request) }],
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
};

export const loadRow = (result: LoadResult): string[] => [
  result.name,
  whole(result.requestsPerSecond),
  round(result.p50, 1),
  round(result.p99, 1),
  `${whole(result.non2xx)} / ${whole(result.errors)}`,
];

export const loadHeaders = ['scenario', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx / errors'] as const;
