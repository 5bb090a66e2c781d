import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { tooManyRequests, type HttpProblem } from '../problem.ts';

/** Told of every request refused, by the limit that refused it (the metrics count them). */
export type Rejected = (limit: string) => void;

/** Whole seconds until the window lets the caller in again: at least 1, as Retry-After needs. */
export const retryAfterSeconds = (result: Pick<RateLimiterRes, 'msBeforeNext'>): number =>
  Math.max(1, Math.ceil(result.msBeforeNext / 1000));

export const refusal = (limit: string, result: Pick<RateLimiterRes, 'msBeforeNext'>, rejected: Rejected): HttpProblem => {
  rejected(limit);
  return tooManyRequests(retryAfterSeconds(result));
};

/**
 * Takes a point for `key`: the limiter's answer, or the 429 to throw when none is left. Anything
 * else a limiter throws is a fault of its store that even the insurance could not absorb.
 */
export const take = async (limiter: RateLimiterAbstract, limit: string, key: string, rejected: Rejected): Promise<RateLimiterRes> => {
  try {
    return await limiter.consume(key);
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) throw refusal(limit, outcome, rejected);
    throw outcome;
  }
};
