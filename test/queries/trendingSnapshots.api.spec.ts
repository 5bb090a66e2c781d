import { expect } from 'chai';
import type pg from 'pg';
import { connectJobQueue, jobsStatus } from '../../src/infrastructure/jobs/index.ts';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { createQueryPool } from '../../src/infrastructure/postgres/slonik.ts';
import { trendingAggregationJob, trendingAggregationJobName } from '../../src/queries/trendingMovies/aggregationJob.ts';
import type { SnapshotPublisher } from '../../src/queries/trendingMovies/snapshots.ts';
import type { TrendingSnapshot } from '../../src/queries/trendingMovies/snapshot.ts';
import { client, type Client } from '../support/http.ts';
import { testLog } from '../support/postgresServer.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { computeTrendingNow, projectionsPassed } from '../support/trendingSnapshot.ts';
import { waitFor } from '../support/waitFor.ts';

// Trending is ranked by the scheduler's trending-aggregation job, one snapshot per slot of
// TRENDING_CRON, and requests read the snapshot computed last: no request ranks.

interface Trending {
  readonly from: string;
  readonly to: string;
  readonly items: readonly { readonly movie: { readonly id: string }; readonly watches: number }[];
}

describe('trending snapshots', function () {
  this.timeout(60_000);
  let running: TestService | undefined;
  let pool: pg.Pool | undefined;
  afterEach(async () => {
    await pool?.end();
    await running?.stop();
    pool = undefined;
    running = undefined;
  });

  /** Every read model trending reads has passed `position`. */
  const settled = (position: string): Promise<void> => projectionsPassed(pool!, ['trending', 'catalogue', 'ratings'], position);

  const start = async (environment: Record<string, string> = {}): Promise<{ api: Client; watched: string; position: string }> => {
    running = await startTestService({ ...adminEnvironment, ...environment });
    pool = createPool(running.database.url, 2, 'spec');
    const api = client(running.base);
    const movie = await addMovie(api, (await signInAsAdmin(api)).accessToken);
    const viewer = await signUp(api);
    const reply = await api.post(`/movies/${movie.movieId}/watched`, {}, { token: viewer.accessToken });
    const position = String(reply.body.position);
    await settled(position);
    return { api, watched: movie.movieId, position };
  };

  it('ranks on its schedule, each run for its slot, listed in jobs status', async () => {
    const { api, watched } = await start({ TRENDING_CRON: '*/2 * * * * *' });
    let answer: Trending | undefined;
    await waitFor(async () => {
      const reply = await api.get<Trending>('/movies/trending?window=24h');
      answer = reply.body;
      return reply.status === 200 && reply.body.items.some((item) => item.movie.id === watched);
    }, 15_000);
    // `to` is the start of a slot of the schedule (every 2 s), `from` a day before it.
    expect(Date.parse(answer!.to) % 2_000).to.equal(0);
    expect(Date.parse(answer!.to) - Date.parse(answer!.from)).to.equal(24 * 3_600_000);
    const queue = await connectJobQueue({ pool: pool! }, testLog);
    try {
      const status = await jobsStatus(queue);
      expect(status.counts.map((count) => count.name)).to.include(trendingAggregationJobName);
    } finally {
      await queue.close();
    }
  });

  it('answers from the snapshot: a change to the read model after it is not seen until the next one', async () => {
    const { api, watched } = await start();
    // A slot an hour on: the week ending then still holds the watches.
    const slot = new Date(Math.floor(running!.clock.now().getTime() / 60_000) * 60_000 + 3_600_000);
    await computeTrendingNow(running!, running!.clock.now());
    const first = (await api.get<Trending>('/movies/trending?window=7d')).body;
    const before = first.items.find((item) => item.movie.id === watched)?.watches;
    expect(before).to.equal(1);
    // Were the route to rank, it would count these watches at once.
    await pool!.query('UPDATE rm_trending.activity SET watches = watches + 100 WHERE movie_id = $1', [watched]);
    const again = (await api.get<Trending>('/movies/trending?window=7d')).body;
    expect(again).to.deep.equal(first);
    // The next slot's snapshot counts them, and names its slot.
    await computeTrendingNow(running!, slot);
    const next = (await api.get<Trending>('/movies/trending?window=7d')).body;
    expect(next.to).to.equal(slot.toISOString());
    expect(next.items.find((item) => item.movie.id === watched)?.watches).to.equal(101);
    expect(next.from).to.equal(new Date(slot.getTime() - 7 * 24 * 3_600_000).toISOString());
  });

  it('answers 503 with Retry-After to an X-Min-Position beyond a snapshot its read models changed since, and the page once a later one has it', async () => {
    const { api, watched, position } = await start();
    await computeTrendingNow(running!);
    expect((await api.get('/movies/trending', { headers: { 'X-Min-Position': position } })).status).to.equal(200);
    // A write the rankings do not read (a watchlist entry) leaves the snapshot good for its position.
    const listed = await api.put(`/me/watchlist/${watched}`, {}, { token: (await signUp(api)).accessToken });
    expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
    // Once the API's change feed of those read models has read past it (right after the write it may
    // not have, and a change it cannot rule out answers 503).
    await waitFor(
      async () => (await api.get('/movies/trending', { headers: { 'X-Min-Position': String(listed.body.position) } })).status === 200,
      3_000,
    );
    const again = await api.post(`/movies/${watched}/watched`, {}, { token: (await signUp(api)).accessToken });
    const later = String(again.body.position);
    // Every read model has the watch; the snapshot does not.
    await settled(later);
    const stale = await api.get('/movies/trending', { headers: { 'X-Min-Position': later } });
    expect(stale.status).to.equal(503);
    expect(stale.headers.get('retry-after')).to.match(/^\d+$/);
    await computeTrendingNow(running!);
    expect((await api.get('/movies/trending', { headers: { 'X-Min-Position': later } })).status).to.equal(200);
  });

  it('computes once per slot: a second run for the same slot publishes nothing', async () => {
    await start();
    const published: TrendingSnapshot[] = [];
    const snapshots: SnapshotPublisher = {
      lastKey: () => Promise.resolve(published.at(-1)?.key),
      publish: (snapshot) => Promise.resolve(void published.push(snapshot)),
      close: () => Promise.resolve(),
    };
    const db = await createQueryPool(running!.database.url, 2, 30_000);
    try {
      const job = trendingAggregationJob({ db, log: testLog, snapshots, cron: '*/5 * * * *', sourcesPosition: () => Promise.resolve(0n) });
      const key = `${trendingAggregationJobName}@2030-01-01T00:05:00.000Z`;
      await job.handler({}, { jobId: 'a', key, attempt: 1 });
      await job.handler({}, { jobId: 'a', key, attempt: 2 });
      expect(published.map((snapshot) => snapshot.key)).to.deep.equal([key]);
      expect(published[0]!.slot).to.equal('2030-01-01T00:05:00.000Z');
    } finally {
      await db.end();
    }
  });
});
