import type { Middleware } from 'koa';
import type { ProjectionPositions } from '../../projections/runtime/positions.ts';
import { badRequest, serviceUnavailable } from '../../infrastructure/http/problem.ts';

/** Seconds a client waits before asking again a read model that is stopped: it needs an operator, not a moment. */
const stoppedRetryAfterSeconds = 30;

/**
 * `X-Min-Position: N`: the answer waits until every projection the query reads has applied the log
 * up to N (the position a command answered with), woken by the projections' notifications, for at
 * most `timeoutMs`; then 503 with Retry-After rather than an answer that misses the write. When
 * `stoppedAmong` says a read model it waited for is stopped at a parked event, the 503 says so (asked
 * only once a wait has timed out, so waits that succeed cost nothing more).
 */
export const readYourWrites =
  (positions: ProjectionPositions, timeoutMs: number, stoppedAmong?: (names: readonly string[]) => Promise<readonly string[]>) =>
  (...projections: readonly string[]): Middleware =>
  async (ctx, next) => {
    const header = ctx.get('X-Min-Position').trim();
    if (header !== '') {
      if (!/^\d{1,19}$/.test(header)) throw badRequest('X-Min-Position must be an event position: a whole number, as commands answer');
      const reached = await positions.waitFor(projections, BigInt(header), timeoutMs);
      if (!reached) {
        const behind = projections.filter((name) => positions.current(name) < BigInt(header));
        // Not knowing which are stopped (the lookup failed) still leaves the 503 that the wait earned.
        const stopped =
          stoppedAmong === undefined || behind.length === 0 ? [] : await stoppedAmong(behind).catch((): readonly string[] => []);
        if (stopped.length > 0) {
          const [subject, verb] = stopped.length === 1 ? ['The read model', 'is'] : ['The read models', 'are'];
          throw serviceUnavailable(
            `${subject} ${stopped.join(', ')} ${verb} stopped at a parked event, not merely behind, and short of position ${header}: ` +
              'reads of it wait until an operator retries or skips that event; retry later',
            stoppedRetryAfterSeconds,
          );
        }
        throw serviceUnavailable(`The read models have not caught up with position ${header} yet (${behind.join(', ')}); retry shortly`, 1);
      }
    }
    await next();
  };
