import { Counter, type Registry } from 'prom-client';
import type pg from 'pg';
import type { Logger } from '../logging/logger.ts';

/** Rows deleted per statement: short transactions, so that no request waits long behind a sweep. */
const batchSize = 5_000;

/**
 * Deletes every Idempotency-Key stored at or before `expiredBefore` (in batches, through the
 * created_at index), and says how many. A key still being handled is that old only if its request
 * ran for the whole TTL; it goes too.
 */
export const sweepIdempotencyKeys = async (pool: pg.Pool, expiredBefore: Date): Promise<number> => {
  let deleted = 0;
  for (;;) {
    const result = await pool.query(
      `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM idempotency_keys WHERE created_at <= $1 LIMIT ${batchSize}))`,
      [expiredBefore],
    );
    deleted += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < batchSize) return deleted;
  }
};

/**
 * The sweep on a schedule, in each API process. Expired keys are already ignored by the middleware,
 * so the sweep only keeps the table small, and two API processes sweeping at once only delete the
 * same rows (no lock needed). Logged when it deleted anything or failed; counted in
 * `fastflix_idempotency_keys_expired_total`.
 */
export const scheduleIdempotencySweep = (options: {
  readonly pool: pg.Pool;
  readonly clock: () => Date;
  readonly ttlSeconds: number;
  readonly everyMs: number;
  readonly log: Logger;
  readonly registry: Registry;
}): { readonly close: () => Promise<void> } => {
  const expired = new Counter({
    name: 'fastflix_idempotency_keys_expired_total',
    help: 'Idempotency-Keys deleted by the sweep, their TTL passed',
    registers: [options.registry],
  });
  let running: Promise<void> | undefined;
  const sweep = async (): Promise<void> => {
    const started = Date.now();
    try {
      const deleted = await sweepIdempotencyKeys(options.pool, new Date(options.clock().getTime() - options.ttlSeconds * 1000));
      expired.inc(deleted);
      if (deleted > 0) options.log.info({ deleted, ms: Date.now() - started }, 'expired idempotency keys swept');
    } catch (error) {
      options.log.warn({ err: error }, 'the sweep of expired idempotency keys failed; the next one will try again');
    }
  };
  const timer = setInterval(() => {
    running ??= sweep().finally(() => (running = undefined));
  }, options.everyMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
};
