import { expect } from 'chai';
import { Redis } from 'ioredis';
import { redisCheck } from '../../src/infrastructure/readinessChecks.ts';
import { freePort } from '../support/postgresServer.ts';

// Redis out of reach degrades the service rather than failing its readiness: every request is still
// served (rate limits count in memory, the live feed reaches this process), so a load balancer must
// keep the instance. Redis up is simply ok.

describe('the Redis readiness check', () => {
  const clients: Redis[] = [];
  const connect = (url: string): Redis => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  after(() => clients.forEach((redis) => redis.disconnect()));

  it('is ok while Redis answers', async function () {
    if (process.env.REDIS_URL === undefined) this.skip();
    const redis = connect(process.env.REDIS_URL ?? '');
    // As in the service, whose client connects at start long before anyone asks /readyz.
    await new Promise((resolve) => redis.once('ready', resolve));
    expect(await redisCheck(redis).check()).to.equal('ok');
  });

  it('degrades, naming redis, when it cannot be reached', async () => {
    const answer = await redisCheck(connect(`redis://127.0.0.1:${await freePort()}`)).check();
    expect(answer).to.deep.include({ kind: 'degraded', parts: ['redis'] });
    expect(answer)
      .to.have.property('detail')
      .that.matches(/^Redis is (connecting|reconnecting|close|end): rate limits in each process's memory/);
  });
});
