import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { followEndedSessions, type EndedSessions } from '../../src/infrastructure/auth/endedSessions.ts';
import { createTokenService } from '../../src/infrastructure/auth/tokens.ts';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { randomId } from '../../src/infrastructure/ids.ts';
import { startLiveFeed, type LiveFeed } from '../../src/reactors/liveFeed/liveFeed.ts';
import { userFeedChannel } from '../../src/reactors/liveFeed/userFeed.ts';
import { openPostgresEventStore, type TestEventStore } from '../infrastructure/eventStore/postgresTestStore.ts';
import { movieAdded } from '../projections/support/titleRecorder.ts';
import { testLog } from '../support/postgresServer.ts';
import { waitFor } from '../support/waitFor.ts';
import { connectFeed, type FeedClient } from './support/feedClient.ts';

// The replay window, with a feed of five: missed events read from the log when the feed's memory does
// not reach back, and a resync instead of a replay when more were missed than the window holds.

describe('the live feed replay window', function () {
  this.timeout(60_000);
  let opened: TestEventStore;
  let server: Server;
  let endedSessions: EndedSessions;
  let feed: LiveFeed;
  let base: string;
  const open: FeedClient[] = [];
  const tokens = createTokenService({
    secret: 'window-spec-secret-that-is-long-enough-0123456789',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 3_600,
    nowSeconds: () => Date.now() / 1000,
  });
  const token = (): string => tokens.issueAccessToken({ sub: randomId(), role: 'user', sid: randomId() }).token;
  /** Appends movies titled `${prefix} 0…`, returning their positions. */
  const addMovies = async (prefix: string, count: number): Promise<string[]> => {
    const positions: string[] = [];
    for (let n = 0; n < count; n++) {
      const appended = await opened.store.appendToStream(streamName('movie', randomUUID()), [movieAdded(`${prefix} ${n}`)]);
      positions.push(String(appended.position));
    }
    // A feed starts at the head it reads, which trails a commit while any older transaction runs on the
    // (shared) server: wait until it shows the last of these.
    const last = BigInt(positions[positions.length - 1] ?? -1);
    await waitFor(async () => ((await opened.store.headPosition()) ?? -1n) >= last);
    return positions;
  };

  before(async () => {
    opened = await openPostgresEventStore();
    endedSessions = await followEndedSessions({ store: opened.store, log: testLog, accessTokenTtlSeconds: 900, now: Date.now });
  });
  afterEach(async () => {
    for (const client of open.splice(0)) client.close();
    await feed.close();
    await new Promise((resolve) => server.close(resolve));
  });
  after(async () => {
    await endedSessions.close();
    await opened.close();
  });
  /** A server and a feed of their own for each test, as each start of the service has. */
  const start = async (): Promise<void> => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    feed = await startLiveFeed({
      server,
      store: opened.store,
      tokens,
      endedSessions,
      userFeedChannel: userFeedChannel(randomUUID()),
      redisUrl: undefined,
      log: testLog,
      now: Date.now,
      window: 5,
    });
  };
  const connect = async (auth: Record<string, unknown>): Promise<FeedClient> => {
    const client = await connectFeed(base, auth);
    open.push(client);
    await client.waitFor('live');
    return client;
  };

  it('reads what was missed before this feed started from the log, within the window', async () => {
    const [seen, ...missed] = await addMovies('before', 5);
    await start();
    const client = await connect({ token: token(), since: seen });
    expect(client.named('movie.added').map((m) => m.payload.position)).to.deep.equal(missed);
    expect(client.named('resync')).to.deep.equal([]);
  });

  it('tells a client to resync when it missed more than the window, and then goes live', async () => {
    const many = await addMovies('many', 7);
    const [seen, last] = [many[0], many[many.length - 1]];
    await start();
    const client = await connect({ token: token(), since: seen });
    expect(client.named('movie.added')).to.deep.equal([]);
    expect(client.named('resync').map((m) => m.payload)).to.deep.equal([
      { position: last, reason: 'more than 5 events were missed: read the current state over HTTP' },
    ]);
    const [live] = await addMovies('live', 1);
    await client.waitFor('movie.added', (payload) => payload.position === live);
  });

  it('replays from the log and then from memory when the memory no longer reaches back', async () => {
    await start();
    // Twelve movies through a memory of five: the first ones are evicted.
    const watcher = await connect({ token: token() });
    const positions = await addMovies('evicted', 12);
    const last = positions[positions.length - 1];
    await watcher.waitFor('movie.added', (payload) => payload.position === last);
    // The memory now holds the last four (evicted a tenth at a time): five missed, the first from the log.
    const client = await connect({ token: token(), since: positions[6] });
    expect(client.named('movie.added').map((m) => m.payload.position)).to.deep.equal(positions.slice(7));
  });
});
