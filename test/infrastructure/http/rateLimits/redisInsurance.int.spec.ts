import { expect } from 'chai';
import { Registry } from 'prom-client';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { redisLimiters } from '../../../../src/infrastructure/http/rateLimits/limiterStore.ts';
import { capturingLogger } from '../../../support/logCapture.ts';
import { freePort } from '../../../support/postgresServer.ts';

// Limiters on Redis, insured in memory: shared by every process while Redis answers; while it does
// not, still limiting (in this process), the outage logged once and counted once.

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const rule = { points: 3, windowSeconds: 60 };

/** How many of `attempts` consumptions of one key were allowed. */
const allowed = async (limiter: { consume: (key: string) => Promise<RateLimiterRes> }, key: string, attempts: number): Promise<number> => {
  let count = 0;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      await limiter.consume(key);
      count += 1;
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
    }
  }
  return count;
};

describe('rate limiters on Redis', function () {
  this.timeout(20_000);

  it('share one count between processes while Redis answers', async () => {
    const faults: string[] = [];
    const first = redisLimiters({ url: redisUrl, log: capturingLogger().log, faulted: () => faults.push('fault') });
    const second = redisLimiters({ url: redisUrl, log: capturingLogger().log, faulted: () => faults.push('fault') });
    try {
      const name = `spec-${crypto.randomUUID()}`;
      const key = 'one client';
      await Promise.all([first.ready(), second.ready()]);
      expect(await allowed(first.limiter(name, rule), key, 2)).to.equal(2);
      // One point left, whichever process asks: the count lives in Redis.
      expect(await allowed(second.limiter(name, rule), key, 3)).to.equal(1);
      expect(faults).to.deep.equal([]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('goes on limiting in memory when Redis cannot be reached, and logs and counts the fault once', async () => {
    const { log, records } = capturingLogger();
    let faults = 0;
    const nowhere = new URL(`redis://127.0.0.1:${await freePort()}`);
    const store = redisLimiters({ url: nowhere, log, faulted: () => (faults += 1) });
    try {
      const limiter = store.limiter('spec-insured', rule);
      const started = performance.now();
      expect(await allowed(limiter, 'a client', 10)).to.equal(3);
      expect(await allowed(limiter, 'another client', 2)).to.equal(2);
      // At once, not after a connection timeout per request.
      expect(performance.now() - started).to.be.below(1_000);
      expect(faults).to.equal(1);
      expect(records.filter((record) => /cannot reach Redis/.test(String(record.msg)))).to.have.length(1);
    } finally {
      await store.close();
    }
  });
});

describe('the rate-limit metrics', () => {
  it('are registered in the registry given', async () => {
    const { createRateLimits } = await import('../../../../src/infrastructure/http/rateLimits/rateLimits.ts');
    const registry = new Registry();
    const limits = createRateLimits({
      config: {
        trustProxyHops: 0,
        requests: rule,
        loginFailures: rule,
        registrations: rule,
        resetRequests: rule,
        resetConfirmations: rule,
        idempotencyKeys: rule,
        idempotencyKeyTtlSeconds: 86_400,
        hashConcurrency: 1,
        hashQueue: 0,
        hashesPerAddress: 1,
      },
      redisUrl: undefined,
      log: capturingLogger().log,
      registry,
    });
    limits.rejected('requests');
    expect(await registry.metrics()).to.match(/^fastflix_rate_limit_rejections_total\{limit="requests"\} 1$/m);
    await limits.close();
  });
});
