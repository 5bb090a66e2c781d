import type { Middleware } from 'koa';
import type { ProjectionPositions } from '../../projections/runtime/positions.ts';
import { badRequest, serviceUnavailable } from '../../infrastructure/http/problem.ts';

/**
 * `X-Min-Position: N`: the answer waits until every projection the query reads has applied the log
 * up to N (the position a command answered with), woken by the projections' notifications, for at
 * most `timeoutMs`; then 503 with Retry-After rather than an answer that misses the write.
 */
export const readYourWrites =
  (positions: ProjectionPositions, timeoutMs: number) =>
  (...projections: readonly string[]): Middleware =>
  async (ctx, next) => {
    const header = ctx.get('X-Min-Position').trim();
    if (header !== '') {
      if (!/^\d{1,19}$/.test(header)) throw badRequest('X-Min-Position must be an event position: a whole number, as commands answer');
      const reached = await positions.waitFor(projections, BigInt(header), timeoutMs);
      if (!reached) {
        const behind = projections.filter((name) => positions.current(name) < BigInt(header));
        throw serviceUnavailable(`The read models have not caught up with position ${header} yet (${behind.join(', ')}); retry shortly`, 1);
      }
    }
    await next();
  };
