import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgresServer.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { connectFeed, refusal, type FeedClient } from './support/feedClient.ts';

// The Socket.IO feed of a running service, through a real socket.io-client: who receives what,
// refused handshakes, missed events replayed from the log across a restart, sockets of ended sessions.

describe('the live feed over Socket.IO', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let running: TestService;
  let api: Client;
  let admin: string;
  const open: FeedClient[] = [];
  const connect = async (auth: Record<string, unknown>): Promise<FeedClient> => {
    const feed = await connectFeed(running.base, auth);
    open.push(feed);
    await feed.waitFor('live');
    return feed;
  };
  const start = async (): Promise<void> => {
    running = await startTestService({ ...adminEnvironment, LOG_LEVEL: 'fatal' }, database);
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
  };

  before(async () => {
    database = await createTestDatabase();
    await start();
  });
  afterEach(() => {
    for (const feed of open.splice(0)) feed.close();
  });
  after(async () => {
    await running.stop();
    await database.drop();
  });

  const rate = async (viewer: SignedIn, movieId: string, score: number): Promise<string> => {
    const reply = await api.put(`/movies/${movieId}/rating`, { score }, { token: viewer.accessToken });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return String(reply.body.position);
  };

  it('sends movie.added, with its position, to a client once an admin adds a movie over HTTP', async () => {
    const viewer = await signUp(api);
    const feed = await connect({ token: viewer.accessToken });
    const added = await addMovie(api, admin, { title: 'Arrival on the feed', year: 2016, genres: ['drama'] });
    const message = await feed.waitFor('movie.added', (payload) => payload.movieId === added.movieId);
    expect(message.payload).to.deep.include({ position: added.position, title: 'Arrival on the feed', year: 2016, genres: ['drama'] });
    expect(feed.named('movie.added').filter((m) => m.payload.movieId === added.movieId)).to.have.length(1);
    const metrics = await (await fetch(`${running.base}/metrics`)).text();
    expect(metrics).to.match(/^fastflix_live_feed_sockets [1-9]\d*$/m);
    expect(metrics).to.match(/^fastflix_live_feed_messages_total\{event="movie.added"\} [1-9]\d*$/m);
  });

  it("sends rating.recorded to the rater's sockets only, never to another user's", async () => {
    const [alice, bob] = [await signUp(api), await signUp(api)];
    const movie = await addMovie(api, admin);
    const alicesPhone = await connect({ token: alice.accessToken });
    const alicesLaptop = await connect({
      token: (await api.post('/auth/login', { email: alice.email, password: alice.password })).body.accessToken,
    });
    const bobs = await connect({ token: bob.accessToken });
    const bobsRating = await rate(bob, movie.movieId, 2);
    const alicesRating = await rate(alice, movie.movieId, 4.5);
    // A later event every socket receives: whatever would have come before it has come.
    const fence = await addMovie(api, admin);
    for (const feed of [alicesPhone, alicesLaptop, bobs]) await feed.waitFor('movie.added', (payload) => payload.movieId === fence.movieId);
    for (const feed of [alicesPhone, alicesLaptop]) {
      expect(feed.named('rating.recorded').map((m) => m.payload)).to.deep.equal([
        { position: alicesRating, movieId: movie.movieId, score: 4.5, ratedAt: feed.named('rating.recorded')[0]?.payload.ratedAt },
      ]);
    }
    expect(bobs.named('rating.recorded').map((m) => m.payload.position)).to.deep.equal([bobsRating]);
  });

  it('refuses a handshake without a good token, or with a since that is not a position or is ahead of the log, saying why', async () => {
    const viewer = await signUp(api);
    expect(await refusal(running.base, {})).to.equal('no token: connect with auth: { token: <access token> }');
    expect(await refusal(running.base, { token: 42 })).to.match(/token must be a string/);
    expect(await refusal(running.base, { token: 'not.a.jwt' })).to.match(/^sign in again: the token is invalid/);
    expect(await refusal(running.base, { token: `${viewer.accessToken}x` })).to.match(/^sign in again: the token is invalid/);
    expect(await refusal(running.base, { token: viewer.accessToken, since: 'yesterday' })).to.match(/^since must be a global position/);
    expect(await refusal(running.base, { token: viewer.accessToken, since: -1 })).to.match(/^since must be a global position/);
    const head = (await running.service.eventStore.headPosition()) ?? 0n;
    // Far ahead: the head the server reads may have moved past the one read here (positions are sparse).
    const ahead = head + 2n ** 40n;
    expect(await refusal(running.base, { token: viewer.accessToken, since: String(ahead) })).to.match(
      new RegExp(`^since ${ahead} is ahead of the log: its last position is \\d+$`),
    );
    // The boundary: the head itself is a position the client may have.
    const atHead = await connect({ token: viewer.accessToken, since: String(head) });
    expect(atHead.socket.connected).to.equal(true);
  });

  it('refuses an expired token, and disconnects a socket when its token expires', async () => {
    const viewer = await signUp(api);
    const feed = await connect({ token: viewer.accessToken });
    const disconnected = new Promise<string>((resolve) => feed.socket.once('disconnect', resolve));
    running.clock.advance(16 * 60);
    try {
      expect((await feed.waitFor('session.ended')).payload).to.deep.equal({ reason: 'the access token has expired' });
      expect(await disconnected).to.equal('io server disconnect');
      expect(await refusal(running.base, { token: viewer.accessToken })).to.equal('sign in again: the token has expired');
    } finally {
      running.clock.advance(-16 * 60);
    }
  });

  it('disconnects a socket once its session ends (logout), and refuses its token afterwards', async () => {
    const viewer = await signUp(api);
    const feed = await connect({ token: viewer.accessToken });
    const disconnected = new Promise<string>((resolve) => feed.socket.once('disconnect', resolve));
    const logout = await api.post('/auth/logout', { refreshToken: viewer.refreshToken }, { token: viewer.accessToken });
    expect(logout.status, JSON.stringify(logout.body)).to.be.oneOf([200, 204]);
    expect((await feed.waitFor('session.ended')).payload).to.deep.equal({ reason: 'the session has ended' });
    expect(await disconnected).to.equal('io server disconnect');
    expect(await refusal(running.base, { token: viewer.accessToken })).to.equal('sign in again: the session of this token has ended');
  });

  it('replays exactly what a client missed when it reconnects with since, across a restart of the service, then goes live', async () => {
    const [viewer, other] = [await signUp(api), await signUp(api)];
    const first = await connect({ token: viewer.accessToken });
    const seen = await addMovie(api, admin);
    await first.waitFor('movie.added', (payload) => payload.movieId === seen.movieId);
    first.close();
    // Missed while away: two movies, a rating of its own (from another device), another user's rating.
    const missedMovie = await addMovie(api, admin);
    const ownRating = await rate(viewer, missedMovie.movieId, 5);
    await rate(other, missedMovie.movieId, 1);
    await running.service.stop();
    await start();
    const afterRestart = await addMovie(api, admin);
    const token = (await api.post('/auth/login', { email: viewer.email, password: viewer.password })).body.accessToken;
    const back = await connect({ token, since: seen.position });
    const live = await addMovie(api, admin);
    await back.waitFor('movie.added', (payload) => payload.movieId === live.movieId);
    // Notifications are not replayed from the log: they are pushed by their reactor once the inbox has
    // them, and checked below. The log's replay first:
    const positions = back.received
      .filter((m) => m.name !== 'live' && m.name !== 'notification.created')
      .map((m) => [m.name, m.payload.position]);
    expect(positions).to.deep.equal([
      ['movie.added', missedMovie.position],
      ['rating.recorded', ownRating],
      ['movie.added', afterRestart.position],
      ['movie.added', live.position],
    ]);
    // `live` came after everything missed before the restart and before the live event, and says where
    // live delivery began: what came before it is at or before that position, what came after it past
    // it. The movie added after the restart falls on either side, as the restarted feed had read it
    // from the log by the handshake or not (full runs have seen both).
    const feed = back.received.filter((m) => m.name !== 'notification.created');
    const seam = feed.findIndex((m) => m.name === 'live');
    expect(seam).to.be.oneOf([2, 3]);
    const livePosition = BigInt(String(feed[seam]?.payload.position));
    for (const before of feed.slice(0, seam)) expect(BigInt(String(before.payload.position)) <= livePosition).to.equal(true);
    for (const after of feed.slice(seam + 1)) expect(BigInt(String(after.payload.position)) > livePosition).to.equal(true);
    // The viewer's rating of the missed movie made its genres the viewer's favourites: each movie added
    // after it (both share them) notifies the viewer, and the one added while this socket was connected
    // is pushed to it. The movie added right after the restart is pushed too when its reactor ran after
    // the handshake (now and then, as a full run saw), never the missed movie, added before the rating.
    await back.waitFor('notification.created', (payload) => (payload.movie as { id?: string } | undefined)?.id === live.movieId);
    const notified = back.named('notification.created').map((m) => (m.payload.movie as { id?: string } | undefined)?.id);
    expect(notified).to.include(live.movieId);
    for (const movieId of notified) expect(movieId).to.be.oneOf([afterRestart.movieId, live.movieId]);
  });

  it('replays from memory after a short drop, with no gap and no duplicate while movies keep coming', async () => {
    const viewer = await signUp(api);
    const first = await connect({ token: viewer.accessToken });
    const seen = await addMovie(api, admin);
    await first.waitFor('movie.added', (payload) => payload.movieId === seen.movieId);
    first.close();
    const missed = [await addMovie(api, admin), await addMovie(api, admin)];
    // Movies keep coming while it reconnects: each exactly once, in order, whichever path brought it.
    const adding = (async () => {
      const added = [];
      for (let n = 0; n < 5; n++) added.push(await addMovie(api, admin));
      return added;
    })();
    const back = await connect({ token: viewer.accessToken, since: seen.position });
    const during = await adding;
    const last = during[during.length - 1];
    await back.waitFor('movie.added', (payload) => payload.movieId === last?.movieId);
    expect(back.named('movie.added').map((m) => m.payload.position)).to.deep.equal([...missed, ...during].map((movie) => movie.position));
  });
});
