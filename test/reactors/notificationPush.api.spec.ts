import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, logIn, register, signInAsAdmin } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { connectFeed, type FeedClient } from './support/feedClient.ts';

// notification.created through a real socket.io-client: each notification the inbox gets is pushed
// to its user's room once, to nobody else, and none for a bulk load. The reactor handles events in
// log order, so a later notification arriving proves an earlier event was handled (and pushed nothing
// where nothing came).

describe('notification.created pushes', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  const feeds: FeedClient[] = [];

  /** A viewer who rated one movie of `genre`, connected to the feed. */
  const viewerOf = async (genre: string): Promise<{ token: string; feed: FeedClient }> => {
    const account = await register(api);
    const { accessToken } = await logIn(api, account.email, account.password);
    const liked = await addMovie(api, admin, { genres: [genre] });
    expect((await api.put(`/movies/${liked.movieId}/rating`, { score: 4 }, { token: accessToken })).status).to.equal(200);
    const feed = await connectFeed(running.base, { token: accessToken });
    feeds.push(feed);
    return { token: accessToken, feed };
  };
  const about = (movieId: string) => (payload: Record<string, unknown>) => (payload.movie as { id?: string } | undefined)?.id === movieId;

  before(async () => {
    running = await startTestService({ ...adminEnvironment });
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
  });
  after(async () => {
    for (const feed of feeds) feed.close();
    await running.stop();
  });

  it('pushes a notification to its user only, once, as the inbox lists it, ready to be marked read', async () => {
    const westerns = await viewerOf('western');
    const dramas = await viewerOf('drama');
    const western = await addMovie(api, admin, { genres: ['western'] });
    const drama = await addMovie(api, admin, { genres: ['drama'] });

    const pushed = await westerns.feed.waitFor('notification.created', about(western.movieId));
    expect(pushed.payload).to.include({ type: 'movie.inFavouriteGenre', readAt: null, position: western.position });
    expect(pushed.payload.genres).to.deep.equal(['western']);
    // Pushed only once the read model has it: marked read at once, without X-Min-Position.
    const read = await api.post(`/me/notifications/${String(pushed.payload.id)}/read`, undefined, { token: westerns.token });
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    const listed = await api.get<{ items: Record<string, unknown>[] }>('/me/notifications', {
      token: westerns.token,
      headers: { 'X-Min-Position': western.position },
    });
    const inInbox = listed.body.items.find((item) => item.id === pushed.payload.id);
    expect({ ...inInbox, readAt: null }).to.deep.equal(pushed.payload);

    await dramas.feed.waitFor('notification.created', about(drama.movieId));
    expect(dramas.feed.named('notification.created').filter((message) => about(western.movieId)(message.payload))).to.deep.equal([]);
    await westerns.feed.waitFor('movie.added', (payload) => payload.movieId === drama.movieId);
    expect(westerns.feed.named('notification.created').filter((message) => about(western.movieId)(message.payload))).to.have.length(1);
  });

  it('pushes nothing for a movie a bulk load adds', async () => {
    const westerns = await viewerOf('western');
    const dramas = await viewerOf('drama');
    const imported = randomUUID();
    await running.service.eventStore.appendToStream(streamName('movie', imported), [
      {
        eventId: randomUUID(),
        type: 'MovieAdded',
        schemaVersion: 1,
        data: {
          movieId: imported,
          slug: `imported-${imported}`,
          title: 'Imported Western',
          year: null,
          genres: ['western'],
          overview: 'From a bulk load.',
          runtime: null,
          externalIds: {},
        },
        metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: 'movielens-import', causationId: null, bulk: true },
      },
    ]);
    const drama = await addMovie(api, admin, { genres: ['drama'] });
    await dramas.feed.waitFor('notification.created', about(drama.movieId));
    await westerns.feed.waitFor('movie.added', (payload) => payload.movieId === drama.movieId);
    expect(westerns.feed.named('notification.created').filter((message) => about(imported)(message.payload))).to.deep.equal([]);
    expect(westerns.feed.named('movie.added').filter((message) => message.payload.movieId === imported)).to.deep.equal([]);
  });
});
