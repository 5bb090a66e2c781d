import Router from '@koa/router';
import type { Metrics } from '../metrics/metrics.ts';
import { serviceUnavailable } from './problem.ts';

/** One dependency `/readyz` checks: it throws when the dependency cannot serve. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<unknown>;
}

const checkTimeoutMs = 2_000;

/** `/healthz` (the process is up), `/readyz` (every configured dependency answers), `/metrics`. */
export const operationsRoutes = (checks: readonly ReadinessCheck[], metrics: Metrics): Router => {
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(checks.map(async ({ name, check }) => ({ name, ...(await run(check)) })));
    const failing = results.filter((result) => !result.ok);
    if (failing.length > 0) {
      throw serviceUnavailable(`Not ready: ${failing.map((result) => `${result.name} (${result.detail})`).join('; ')}`, 5);
    }
    ctx.body = { status: 'ready', checks: Object.fromEntries(results.map((result) => [result.name, result.detail])) };
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.exposition();
  });

  return router;
};

const run = async (check: () => Promise<unknown>): Promise<{ ok: boolean; detail: string }> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
  });
  try {
    const detail = await Promise.race([check(), timeout]);
    return { ok: true, detail: typeof detail === 'string' ? detail : 'ok' };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message || error.name : String(error) };
  } finally {
    clearTimeout(timer);
  }
};
