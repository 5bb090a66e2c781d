import autocannon from 'autocannon';
import { round, whole } from './stats.ts';

export interface LoadResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  /** From every response's own time (autocannon's histogram has no 95th percentile). */
  readonly p95: number;
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
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        requests: [{ setupRequest: (request) => options.request(request) }],
      },
      (error: unknown, finished) => (error === null || error === undefined ? resolve(finished) : reject(toError(error))),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  // Which answers were not 2xx: the service's own output is not kept, so this is where a run says
  // whether they were time-outs (503), refusals or failures.
  const refused = Object.entries(result.statusCodeStats ?? {}).filter(([status]) => !status.startsWith('2'));
  if (refused.length > 0) {
    console.log(
      `  ${name}: answers that were not 2xx, by status: ${refused.map(([status, { count }]) => `${status} × ${whole(count ?? 0)}`).join(', ')}`,
    );
  }
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))] ?? Number.NaN,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
};

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export const loadRow = (result: LoadResult): string[] => [
  result.name,
  whole(result.requestsPerSecond),
  round(result.p50, 1),
  round(result.p99, 1),
  `${whole(result.non2xx)} / ${whole(result.errors)}`,
];

export const loadHeaders = ['scenario', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx / errors'] as const;
