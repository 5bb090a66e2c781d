import { expect } from 'chai';
import { openUserFeed, type UserFeed } from '../../src/reactors/liveFeed/userFeed.ts';
import { redisFeedLink } from '../../src/infrastructure/socket/redisAdapter.ts';
import { client } from '../support/http.ts';
import { capturingLogger } from '../support/logCapture.ts';
import { createTestDatabase, testLog, type TestDatabase } from '../support/postgresServer.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';
import { connectFeed, type FeedClient } from './support/feedClient.ts';
import { startOwnRedis, type OwnRedis } from './support/redisServer.ts';

// Two API processes (two services on one database, the second with the api role only) joined by a
// Redis of the test's own, which the last tests take away and bring back.

describe('the live feed of two API processes joined by Redis', function () {
  this.timeout(60_000);
  let redis: OwnRedis;
  let database: TestDatabase;
  let first: TestService;
  let second: TestService;
  let pushes: UserFeed;
  const open: FeedClient[] = [];
  const connect = async (service: TestService, token: string): Promise<FeedClient> => {
    const feed = await connectFeed(service.base, { token });
    open.push(feed);
    await feed.waitFor('live');
    return feed;
  };

  before(async () => {
    redis = await startOwnRedis();
    database = await createTestDatabase();
    first = await startTestService({ ...adminEnvironment, REDIS_URL: redis.url.href }, database);
    second = await startTestService({ FASTFLIX_ROLES: 'api', REDIS_URL: redis.url.href }, database);
    // As a scheduler in a process of its own pushes: through Redis, to whichever process holds the sockets.
    pushes = openUserFeed({ redisUrl: redis.url, apiChannel: undefined, log: testLog });
  });
  afterEach(() => {
    for (const feed of open.splice(0)) feed.close();
  });
  after(async () => {
    await pushes.close();
    await second.stop();
    await first.stop();
    await database.drop();
    await redis.stop();
  });

  it('delivers each event once to each socket, whichever process holds it and whichever caused it', async () => {
    const api = client(first.base);
    const admin = (await signInAsAdmin(api)).accessToken;
    const viewer = await signUp(api);
    const onFirst = await connect(first, viewer.accessToken);
    const onSecond = await connect(second, viewer.accessToken);
    const movie = await addMovie(api, admin);
    const rated = await client(second.base).put(`/movies/${movie.movieId}/rating`, { score: 3 }, { token: viewer.accessToken });
    expect(rated.status).to.equal(200);
    pushes.emit(viewer.userId, 'notification.created', { position: String(rated.body.position), id: 'n-1', type: 'welcome' });
    pushes.emit(viewer.userId, 'recommendations.updated', { position: String(rated.body.position) });
    // A later message of each kind: whatever would have come twice before it has come.
    const fence = await addMovie(api, admin);
    pushes.emit(viewer.userId, 'notification.created', { position: fence.position, id: 'n-2', type: 'welcome' });
    for (const feed of [onFirst, onSecond]) {
      await feed.waitFor('movie.added', (payload) => payload.movieId === fence.movieId);
      await feed.waitFor('notification.created', (payload) => payload.id === 'n-2');
      expect(feed.named('movie.added').map((m) => m.payload.movieId)).to.deep.equal([movie.movieId, fence.movieId]);
      expect(feed.named('rating.recorded').map((m) => m.payload.position)).to.deep.equal([String(rated.body.position)]);
      // The viewer's own welcome (the inbox's push) may come too, once like every other message.
      const notified = feed.named('notification.created').map((m) => String(m.payload.id));
      expect(notified.filter((id) => id.startsWith('n-'))).to.deep.equal(['n-1', 'n-2']);
      expect(new Set(notified).size, notified.join()).to.equal(notified.length);
      expect(feed.named('recommendations.updated')).to.have.length(1);
    }
  });

  it('keeps serving HTTP and its own sockets while Redis is away, and joins the others again when it returns', async () => {
    const api = client(first.base);
    const admin = (await signInAsAdmin(api)).accessToken;
    const viewer = await signUp(api);
    const onFirst = await connect(first, viewer.accessToken);
    const onSecond = await connect(second, viewer.accessToken);
    await redis.stop();
    try {
      const movie = await addMovie(api, admin);
      for (const feed of [onFirst, onSecond]) await feed.waitFor('movie.added', (payload) => payload.movieId === movie.movieId);
      expect(
        (await client(second.base).get(`/movies/${movie.movieId}`, { headers: { 'X-Min-Position': movie.position } })).status,
      ).to.equal(200);
    } finally {
      await redis.start();
    }
    // Back: a push from anywhere reaches both processes' sockets again (once the adapters resubscribed).
    let sent = 0;
    await waitFor(() => {
      pushes.emit(viewer.userId, 'recommendations.updated', { position: String(++sent) });
      return onFirst.named('recommendations.updated').length > 0 && onSecond.named('recommendations.updated').length > 0;
    }, 20_000);
  });

  it('logs a Redis outage once, however many errors it brings, and says when Redis is back', async () => {
    const { log, records } = capturingLogger();
    const link = redisFeedLink(redis.url, log);
    try {
      await redis.stop();
      await waitFor(() => link.faults() >= 3, 20_000);
      await redis.start();
      await waitFor(
        () => records.some((record) => record.msg === 'Redis is back: the live feed is shared with the other API processes again'),
        20_000,
      );
      expect(records.filter((record) => record.level === 40).map((record) => record.msg)).to.deep.equal([
        'Redis is unavailable: the live feed serves only this process until it returns',
      ]);
    } finally {
      await link.close();
    }
  });
});
