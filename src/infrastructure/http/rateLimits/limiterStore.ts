import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitRule } from '../../config/limitsConfig.ts';
import type { Logger } from '../../logging/logger.ts';

/** Makes the limiters of one process: all on Redis (shared by every API process) or all in memory. */
export interface LimiterStore {
  readonly limiter: (name: string, rule: LimitRule) => RateLimiterAbstract;
  /** Resolves once the store is connected (at once in memory). */
  readonly ready: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export const memoryLimiters = (): LimiterStore => ({
  ready: () => Promise.resolve(),
  limiter: (name, rule) => new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.windowSeconds }),
  close: () => Promise.resolve(),
});

/**
 * Limiters on Redis, each insured by one in memory: while Redis cannot be reached every decision is
 * made in this process's memory (so the gates neither open nor take the API down with them), at
 * once rather than after a timeout (no offline queue; a limiter refuses to wait for a connection
 * that is not ready). The outage is logged once and counted once; when Redis is back the limiters
 * use it again by themselves, and say so.
 */
export const redisLimiters = (options: {
  readonly url: URL;
  readonly log: Logger;
  /** Told once per outage. */
  readonly faulted: () => void;
}): LimiterStore => {
  const { log } = options;
  const client = new Redis(options.url.href, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  let down = false;
  const fault = (error: unknown): void => {
    if (down) return;
    down = true;
    options.faulted();
    log.warn({ err: error }, 'rate limits cannot reach Redis: limiting in this process memory until it is back');
  };
  client.on('error', (error) => fault(error));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('rate limits reach Redis again');
  });

  /** The insurance: used only when the Redis call failed, which is how the fault is noticed. */
  class Insurance extends RateLimiterMemory {
    override consume(key: string | number, points?: number, extra?: Record<string, unknown>): Promise<RateLimiterRes> {
      fault(new Error(`Redis is ${client.status}`));
      return super.consume(key, points, extra);
    }
    override get(key: string | number, extra?: Record<string, unknown>): Promise<RateLimiterRes | null> {
      fault(new Error(`Redis is ${client.status}`));
      return super.get(key, extra);
    }
  }

  return {
    limiter: (name, rule) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `fastflix:limit:${name}`,
        points: rule.points,
        duration: rule.windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new Insurance({ keyPrefix: name, points: rule.points, duration: rule.windowSeconds }),
      }),
    ready: async () => {
      if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    },
    close: () => {
      client.disconnect();
      return Promise.resolve();
    },
  };
};
