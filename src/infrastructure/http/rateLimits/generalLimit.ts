import type { Context, Middleware } from 'koa';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitRule } from '../../config/limitsConfig.ts';
import { retryAfterSeconds, take, type Rejected } from './rejection.ts';

/**
 * The headers of the IETF draft (draft-ietf-httpapi-ratelimit-headers): the quota, what is left of
 * it, seconds until the window resets, and the policy (`points;w=seconds`).
 */
export const setLimitHeaders = (ctx: Context, rule: LimitRule, result: Pick<RateLimiterRes, 'remainingPoints' | 'msBeforeNext'>): void => {
  ctx.set('RateLimit-Limit', String(rule.points));
  ctx.set('RateLimit-Remaining', String(Math.max(0, result.remainingPoints)));
  ctx.set('RateLimit-Reset', String(retryAfterSeconds(result)));
  ctx.set('RateLimit-Policy', `${rule.points};w=${rule.windowSeconds}`);
};

/**
 * Every request of a client address takes a point; none left is 429 with Retry-After. Generous by
 * default (README): it is there against floods, and the headers tell every client where it stands.
 * Probes of the operators (`/healthz`, `/readyz`, `/metrics`) are not counted.
 */
export const generalLimit = (limiter: RateLimiterAbstract, rule: LimitRule, rejected: Rejected): Middleware => {
  const exempt = new Set(['/healthz', '/readyz', '/metrics']);
  return async (ctx, next) => {
    if (exempt.has(ctx.path)) {
      await next();
      return;
    }
    try {
      setLimitHeaders(ctx, rule, await take(limiter, 'requests', ctx.ip, rejected));
    } catch (error) {
      ctx.set('RateLimit-Limit', String(rule.points));
      ctx.set('RateLimit-Remaining', '0');
      ctx.set('RateLimit-Policy', `${rule.points};w=${rule.windowSeconds}`);
      throw error;
    }
    await next();
  };
};
