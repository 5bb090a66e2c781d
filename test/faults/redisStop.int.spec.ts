import { expect } from 'chai';
import { client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { computeTrendingNow } from '../support/trendingSnapshot.ts';
import { privateRedisMissing, startPrivateRedis, type PrivateRedis } from './support/privateRedis.ts';
import { startLoad, tally, type Answer } from './support/load.ts';

// Issue 20, faults: Redis stopped in the middle of a mix of commands and reads. Redis holds the rate
// limits' counts and carries the live feed between API nodes; neither may take the service down with
// it. A Redis server of this spec's own is killed (SIGKILL: no goodbye to its clients), held down, and
// started again, empty.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const missing = privateRedisMissing();
const skip = missing !== undefined && process.env.CI !== 'true';
(skip ? describe.skip : describe)(
  skip ? `When Redis stops under load (skipped: ${missing ?? ''})` : 'When Redis stops under load',
  function () {
    this.timeout(90_000);
    let redis: PrivateRedis;
    let service: TestService;
    let answers: Answer[];
    let downAt: number;
    let upAt: number;
    let readiness: { status: number; body: unknown };

    before(async () => {
      redis = await startPrivateRedis();
      service = await startTestService({ REDIS_URL: redis.url.href, ...adminEnvironment });
      const api = client(service.base);
      const adminToken = (await signInAsAdmin(api)).accessToken;
      const movieIds: string[] = [];
      for (let index = 0; index < 12; index += 1)
        movieIds.push((await addMovie(api, adminToken, { title: `Redis Night ${index}` })).movieId);
      const viewers: SignedIn[] = await Promise.all(Array.from({ length: 4 }, () => signUp(api)));
      // Trending answers 503 until its first snapshot: one is made before the load, as a running service has.
      await computeTrendingNow(service);
      const load = startLoad({ base: service.base, viewers, movieIds, connections: 8, requestTimeoutMs: 10_000, seed: 6379 });
      await sleep(2_000);
      downAt = Date.now();
      await redis.stop();
      await sleep(1_000);
      const ready = await fetch(`${service.base}/readyz`, { signal: AbortSignal.timeout(10_000) });
      readiness = { status: ready.status, body: await ready.json() };
      await sleep(3_000);
      await redis.start();
      upAt = Date.now();
      await sleep(3_000);
      await load.stop();
      answers = load.answers;
      if (process.env.FAULTS_REPORT !== undefined) console.log({ answers: tally(answers) });
    });

    after(async () => {
      await service?.stop();
      await redis?.stop();
    });

    it('answers every request 2xx, within its bound, while Redis is down and after', () => {
      const wrong = answers.filter((answer) => answer.status < 200 || answer.status >= 300);
      const sample = JSON.stringify(wrong.slice(0, 3).map(({ kind, status, detail }) => ({ kind, status, detail })));
      expect(wrong.length, `${JSON.stringify(tally(answers))}; e.g. ${sample}`).to.equal(0);
    });

    it('stays ready, degraded without Redis, so that a load balancer keeps it', () => {
      expect(readiness.status, JSON.stringify(readiness.body)).to.equal(200);
      expect(readiness.body).to.deep.include({ status: 'degraded', degraded: ['redis'] });
    });

    it('was under load while Redis was down, and after it came back', () => {
      expect(answers.filter((answer) => answer.sentAt >= downAt + 500 && answer.sentAt < upAt && answer.command).length).to.be.greaterThan(
        5,
      );
      expect(answers.filter((answer) => answer.sentAt >= upAt).length).to.be.greaterThan(5);
    });

    it('limited in memory meanwhile, and counted the outage', async () => {
      const metrics = await (await fetch(`${service.base}/metrics`)).text();
      const faults = [...metrics.matchAll(/^fastflix_rate_limit_store_faults_total(?:\{[^}]*\})? (\d+)/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
      expect(faults).to.be.greaterThan(0);
    });
  },
);
