import type { Middleware } from 'koa';
import { Counter, type Registry } from 'prom-client';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { PasswordHasher } from '../../auth/passwords.ts';
import type { LimitsConfig } from '../../config/limitsConfig.ts';
import type { Logger } from '../../logging/logger.ts';
import { loginLimits, perAddress } from './authLimits.ts';
import { generalLimit } from './generalLimit.ts';
import { gatedPasswords, hashesPerAddress, hashSlots } from './hashGate.ts';
import { memoryLimiters, redisLimiters } from './limiterStore.ts';
import type { Rejected } from './rejection.ts';

/** What routes put in front of themselves. */
export interface RouteLimits {
  readonly logins: Middleware;
  readonly registrations: Middleware;
  readonly resetRequests: Middleware;
  readonly resetConfirmations: Middleware;
  /** Requests that hash a password per client address: on login and reset confirmation, which anyone can flood. */
  readonly hashes: Middleware;
  /** New Idempotency-Keys stored, per caller. */
  readonly idempotencyKeys: RateLimiterAbstract;
}

export interface RateLimits {
  /** Every request, per client address (app-wide, inside the error handler). */
  readonly general: Middleware;
  readonly routes: RouteLimits;
  readonly rejected: Rejected;
  /** The process-wide cap on concurrent scrypt computations. */
  readonly gate: (passwords: PasswordHasher) => PasswordHasher;
  readonly close: () => Promise<void>;
}

/** Every limit of README's Limits section, on Redis when there is one (shared by every API process), else in memory. */
export const createRateLimits = (options: {
  readonly config: LimitsConfig;
  readonly redisUrl: URL | undefined;
  readonly log: Logger;
  readonly registry: Registry;
}): RateLimits => {
  const { config } = options;
  const rejections = new Counter({
    name: 'fastflix_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit (429) or by the cap on concurrent password hashes (503), by limit',
    labelNames: ['limit'] as const,
    registers: [options.registry],
  });
  const faults = new Counter({
    name: 'fastflix_rate_limit_store_faults_total',
    help: 'Times the rate limits lost Redis and went on limiting in memory (once per outage)',
    registers: [options.registry],
  });
  const rejected: Rejected = (limit) => rejections.inc({ limit });
  const store =
    options.redisUrl === undefined
      ? memoryLimiters()
      : redisLimiters({ url: options.redisUrl, log: options.log, faulted: () => faults.inc() });
  const slots = hashSlots(config.hashConcurrency, config.hashQueue, rejected);
  return {
    general: generalLimit(store.limiter('requests', config.requests), config.requests, rejected),
    routes: {
      logins: loginLimits(
        {
          byAccount: store.limiter('login-failures-account', config.loginFailures),
          byAddress: store.limiter('login-failures-address', config.loginFailures),
        },
        rejected,
      ),
      registrations: perAddress(store.limiter('registrations', config.registrations), 'registrations', rejected),
      resetRequests: perAddress(store.limiter('reset-requests', config.resetRequests), 'reset_requests', rejected),
      resetConfirmations: perAddress(store.limiter('reset-confirmations', config.resetConfirmations), 'reset_confirmations', rejected),
      hashes: hashesPerAddress(config.hashesPerAddress, rejected),
      idempotencyKeys: store.limiter('idempotency-keys', config.idempotencyKeys),
    },
    rejected,
    gate: (passwords) => gatedPasswords(passwords, slots),
    close: store.close,
  };
};
