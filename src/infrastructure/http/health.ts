import Router from '@koa/router';
import type { Metrics } from '../metrics/metrics.ts';
import { healthzDoc, metricsDoc, readyzDoc } from './healthDocs.ts';
import { documented } from './openapi/routeDoc.ts';
import { serviceUnavailable } from './problem.ts';

/**
 * One dependency `/readyz` checks: it throws when the service cannot serve without it, and otherwise
 * resolves to a detail, or to `degraded(...)` when the service serves without some of what it names.
 */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<unknown>;
}

/** What a check resolves to when the service still serves, but not all of it: `parts` name what is missing. */
export interface Degraded {
  readonly kind: 'degraded';
  readonly detail: string;
  readonly parts: readonly string[];
}

export const degraded = (detail: string, parts: readonly string[]): Degraded => ({ kind: 'degraded', detail, parts });

const checkTimeoutMs = 2_000;

/**
 * `/healthz` (the process is up), `/readyz` (the service can serve: 503 only when a dependency it
 * cannot serve without fails; 200 with `status: 'degraded'` naming the parts it serves without, so
 * that a load balancer keeps sending the requests it can answer), `/metrics`.
 */
export const operationsRoutes = (checks: readonly ReadinessCheck[], metrics: Metrics): Router => {
  const router = new Router();

  router.get('/healthz', documented(healthzDoc), (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', documented(readyzDoc), async (ctx) => {
    const results = await Promise.all(checks.map(async ({ name, check }) => ({ name, ...(await run(check)) })));
    const failing = results.filter((result) => result.outcome === 'failing');
    if (failing.length > 0) {
      throw serviceUnavailable(`Not ready: ${failing.map((result) => `${result.name} (${result.detail})`).join('; ')}`, 5);
    }
    const parts = results.flatMap((result) => result.parts);
    ctx.body = {
      status: parts.length > 0 ? 'degraded' : 'ready',
      ...(parts.length > 0 ? { degraded: parts } : {}),
      checks: Object.fromEntries(results.map((result) => [result.name, result.detail])),
    };
  });

  router.get('/metrics', documented(metricsDoc), async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.exposition();
  });

  return router;
};

interface Result {
  readonly outcome: 'ok' | 'degraded' | 'failing';
  readonly detail: string;
  readonly parts: readonly string[];
}

const run = async (check: () => Promise<unknown>): Promise<Result> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
  });
  try {
    const answer = await Promise.race([check(), timeout]);
    if (isDegraded(answer)) return { outcome: 'degraded', detail: answer.detail, parts: answer.parts };
    return { outcome: 'ok', detail: typeof answer === 'string' ? answer : 'ok', parts: [] };
  } catch (error) {
    return { outcome: 'failing', detail: error instanceof Error ? error.message || error.name : String(error), parts: [] };
  } finally {
    clearTimeout(timer);
  }
};

const isDegraded = (answer: unknown): answer is Degraded =>
  typeof answer === 'object' && answer !== null && 'kind' in answer && answer.kind === 'degraded';
