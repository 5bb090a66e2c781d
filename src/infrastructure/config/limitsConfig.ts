import { availableParallelism } from 'node:os';
import * as t from 'io-ts';
import { durationSeconds, integerBetween } from './envCodecs.ts';

// The variables of rate limits and of the client address they are kept by (README: Limits).

/** `5/1m`: so many points in so long a window (`s`, `m`, `h`, or seconds without a unit). */
export interface LimitRule {
  readonly points: number;
  readonly windowSeconds: number;
}

const secondsPerUnit: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 };

export const limitRule: t.Type<LimitRule, string, unknown> = new t.Type<LimitRule, string, unknown>(
  'a limit such as 5/1m (so many in so long: s, m, h or d)',
  (input): input is LimitRule => typeof input === 'object' && input !== null && 'points' in input && 'windowSeconds' in input,
  (input, context) => {
    const match = typeof input === 'string' ? /^(\d{1,9})\s*\/\s*(\d{1,6})\s*([smhd]?)$/.exec(input.trim()) : null;
    const unit = secondsPerUnit[match?.[3] ?? ''];
    if (match === null || unit === undefined) return t.failure(input, context);
    const points = Number(match[1]);
    const windowSeconds = Number(match[2]) * unit;
    return points > 0 && windowSeconds > 0 ? t.success({ points, windowSeconds }) : t.failure(input, context);
  },
  (rule) => `${rule.points}/${rule.windowSeconds}s`,
);

export const LimitsEnvironment = t.partial({
  /** How many proxies in front of us append to X-Forwarded-For; 0 (the default) trusts none. */
  TRUST_PROXY: integerBetween(0, 10),
  RATE_LIMIT_REQUESTS: limitRule,
  RATE_LIMIT_LOGIN_FAILURES: limitRule,
  RATE_LIMIT_REGISTRATIONS: limitRule,
  RATE_LIMIT_RESET_REQUESTS: limitRule,
  RATE_LIMIT_RESET_CONFIRMATIONS: limitRule,
  RATE_LIMIT_IDEMPOTENCY_KEYS: limitRule,
  IDEMPOTENCY_KEY_TTL: durationSeconds,
  PASSWORD_HASH_CONCURRENCY: integerBetween(1, 256),
  PASSWORD_HASH_QUEUE: integerBetween(0, 10_000),
  PASSWORD_HASHES_PER_ADDRESS: integerBetween(1, 1_000),
});

export interface LimitsConfig {
  readonly trustProxyHops: number;
  /** Every request, per client address: generous, against floods rather than use. */
  readonly requests: LimitRule;
  /** Failed logins, per account and per client address. */
  readonly loginFailures: LimitRule;
  readonly registrations: LimitRule;
  readonly resetRequests: LimitRule;
  readonly resetConfirmations: LimitRule;
  /** New Idempotency-Keys stored, per caller (user, or client address). */
  readonly idempotencyKeys: LimitRule;
  /** How long an Idempotency-Key's first answer is kept and replayed. */
  readonly idempotencyKeyTtlSeconds: number;
  /** scrypt computations at once in this process, and how many more may wait for one. */
  readonly hashConcurrency: number;
  readonly hashQueue: number;
  /** Requests of one client address that may hash (or wait to) at once. */
  readonly hashesPerAddress: number;
}

export const toLimitsConfig = (env: t.TypeOf<typeof LimitsEnvironment>): LimitsConfig => {
  const hashConcurrency = env.PASSWORD_HASH_CONCURRENCY ?? availableParallelism();
  return {
    trustProxyHops: env.TRUST_PROXY ?? 0,
    requests: env.RATE_LIMIT_REQUESTS ?? { points: 50_000, windowSeconds: 10 },
    loginFailures: env.RATE_LIMIT_LOGIN_FAILURES ?? { points: 5, windowSeconds: 60 },
    registrations: env.RATE_LIMIT_REGISTRATIONS ?? { points: 300, windowSeconds: 3_600 },
    resetRequests: env.RATE_LIMIT_RESET_REQUESTS ?? { points: 20, windowSeconds: 3_600 },
    resetConfirmations: env.RATE_LIMIT_RESET_CONFIRMATIONS ?? { points: 20, windowSeconds: 900 },
    idempotencyKeys: env.RATE_LIMIT_IDEMPOTENCY_KEYS ?? { points: 600, windowSeconds: 60 },
    idempotencyKeyTtlSeconds: env.IDEMPOTENCY_KEY_TTL ?? 86_400,
    hashConcurrency,
    hashQueue: env.PASSWORD_HASH_QUEUE ?? 100,
    hashesPerAddress: env.PASSWORD_HASHES_PER_ADDRESS ?? 8,
  };
};
