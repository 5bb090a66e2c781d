import { expect } from 'chai';
import pg from 'pg';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';
import { connectFeed, type FeedClient } from './support/feedClient.ts';

// recommendations.updated through a real socket.io-client: pushed to the user's room when their own
// rating or watch changes their top ten, or when the similarity recomputation does; never to anyone
// else, never when the list stayed as it was. The reactor handles events in log order, so a push for
// a later event proves that an earlier one was handled (and pushed nothing where nothing came).

interface Pushed {
  readonly position: string;
  readonly movieIds: string[];
}

describe('recommendations.updated pushes', function () {
  this.timeout(90_000);
  const feeds: FeedClient[] = [];
  let running: TestService | undefined;
  afterEach(async () => {
    for (const feed of feeds.splice(0)) feed.close();
    await running?.stop();
    running = undefined;
  });

  const start = async (similarityRefresh: string): Promise<{ api: Client; admin: string }> => {
    running = await startTestService({ ...adminEnvironment, SIMILARITY_REFRESH_INTERVAL: similarityRefresh });
    const api = client(running.base);
    return { api, admin: (await signInAsAdmin(api)).accessToken };
  };
  const connected = async (api: Client): Promise<SignedIn & { feed: FeedClient }> => {
    const viewer = await signUp(api);
    const feed = await connectFeed(running!.base, { token: viewer.accessToken });
    feeds.push(feed);
    return { ...viewer, feed };
  };
  const rate = async (api: Client, viewer: SignedIn, movieId: string, score: number): Promise<string> => {
    const reply = await api.put(`/movies/${movieId}/rating`, { score }, { token: viewer.accessToken });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return String(reply.body.position);
  };
  const recommended = async (api: Client, viewer: SignedIn, position: string) => {
    const reply = await api.get<{ items: { movie: { id: string }; reason: string }[] }>('/me/recommendations?limit=10', {
      token: viewer.accessToken,
      headers: { 'X-Min-Position': position },
    });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return reply.body.items;
  };
  const selectOne = async (text: string, values: unknown[] = []): Promise<string> => {
    const db = new pg.Client({ connectionString: running!.database.url.href });
    await db.connect();
    try {
      const { rows } = await db.query<{ value: string | null }>(text, values);
      return rows[0]?.value ?? '-1';
    } finally {
      await db.end();
    }
  };
  const reactorPosition = (name: string) => selectOne('SELECT position::text AS value FROM reactor_state WHERE name = $1', [name]);
  const similaritySource = () => selectOne('SELECT source_position::text AS value FROM similarity.state');
  const pushes = (feed: FeedClient): Pushed[] =>
    feed.named('recommendations.updated').map((message) => message.payload as unknown as Pushed);

  it('pushes a changed top ten after the user’s own rating, to that user only, and nothing when it stayed the same', async () => {
    const { api, admin } = await start('1h');
    const movies = await Promise.all(Array.from({ length: 5 }, () => addMovie(api, admin)));
    const [m1, m2, m3, m4] = movies.map((movie) => movie.movieId) as [string, string, string, string];
    const other = await signUp(api);
    for (const [movieId, score] of [
      [m1, 5],
      [m2, 4],
      [m3, 3],
    ] as const)
      await rate(api, other, movieId, score);
    const viewer = await connected(api);
    const bystander = await connected(api);

    const first = await rate(api, viewer, m4, 4);
    const pushed = await viewer.feed.waitFor('recommendations.updated', (payload) => payload.position === first);
    const listed = await recommended(api, viewer, first);
    expect((pushed.payload as unknown as Pushed).movieIds).to.deep.equal(listed.map((item) => item.movie.id));
    expect(listed.map((item) => item.movie.id)).to.have.members([m1, m2, m3]);

    // The same movie rated again: its own movie is left out either way, so the list is as it was.
    const second = await rate(api, viewer, m4, 2);
    await waitFor(async () => BigInt(await reactorPosition('recommendations-push')) >= BigInt(second), 10_000);
    expect(pushes(viewer.feed).map((push) => push.position)).to.deep.equal([first]);
    // m1, now seen, leaves the list: news.
    const third = await rate(api, viewer, m1, 5);
    await viewer.feed.waitFor('recommendations.updated', (payload) => payload.position === third);
    expect(pushes(viewer.feed).map((push) => push.position)).to.deep.equal([first, third]);
    expect(pushes(viewer.feed)[1]!.movieIds).to.deep.equal((await recommended(api, viewer, third)).map((item) => item.movie.id));

    // The bystander's own rating is handled after all of the viewer's: by then any misrouted push had come.
    const own = await rate(api, bystander, m2, 4);
    await bystander.feed.waitFor('recommendations.updated', (payload) => payload.position === own);
    expect(pushes(bystander.feed).map((push) => push.position)).to.deep.equal([own]);
    expect(pushes(viewer.feed)).to.have.length(2);
  });

  it('pushes the top ten the similarity recomputation changed, with the position it was computed from', async () => {
    const { api, admin } = await start('2s');
    const movies = await Promise.all(Array.from({ length: 3 }, () => addMovie(api, admin)));
    const [m1, m2, m3] = movies.map((movie) => movie.movieId) as [string, string, string];
    const viewer = await connected(api);
    // Alone in the log, the viewer's rating leaves nothing to recommend: recorded, nothing pushed.
    const own = await rate(api, viewer, m1, 5);
    await waitFor(async () => BigInt(await reactorPosition('recommendations-push')) >= BigInt(own), 10_000);
    // Two fans liked m1 and m2 together; three others liked m3 alone (more activity: first in trending).
    const fans: string[] = [];
    for (const fan of [await signUp(api), await signUp(api)]) {
      fans.push(await rate(api, fan, m1, 5), await rate(api, fan, m2, 5));
    }
    for (const fan of [await signUp(api), await signUp(api), await signUp(api)]) fans.push(await rate(api, fan, m3, 5));
    const last = fans[fans.length - 1]!;

    // m2 first can only come from the neighbours of m1 (trending alone puts m3 first), and only a
    // recomputation pushes to the viewer for the fans' events: so it carries the position of one of them.
    const pushed = await viewer.feed.waitFor('recommendations.updated', (payload) => (payload.movieIds as string[])[0] === m2, 30_000);
    expect(fans).to.include((pushed.payload as unknown as Pushed).position);
    expect(pushes(viewer.feed).filter((each) => each.position === own)).to.deep.equal([]);
    // Once the recomputation has seen every rating, the last push is what the viewer reads.
    await waitFor(async () => BigInt(await similaritySource()) >= BigInt(last), 30_000);
    let listed: { movie: { id: string }; reason: string }[] = [];
    await waitFor(async () => {
      listed = await recommended(api, viewer, last);
      return JSON.stringify(pushes(viewer.feed).at(-1)?.movieIds) === JSON.stringify(listed.map((item) => item.movie.id));
    }, 10_000).catch(() => expect(pushes(viewer.feed).at(-1)?.movieIds).to.deep.equal(listed.map((item) => item.movie.id)));
    expect(listed[0]).to.deep.include({ reason: 'similar' });
    expect(listed.map((item) => item.movie.id)).to.deep.equal([m2, m3]);
    // A push only when the list changed: no two in a row alike.
    const lists = pushes(viewer.feed).map((each) => JSON.stringify(each.movieIds));
    expect(lists.filter((list, n) => n > 0 && list === lists[n - 1])).to.deep.equal([]);
  });
});
