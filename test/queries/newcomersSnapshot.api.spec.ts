import { expect } from 'chai';
import type pg from 'pg';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { computeTrendingNow, projectionsPassed } from '../support/trendingSnapshot.ts';

// GET /me/recommendations takes its trending fallbacks from the scheduler's trending snapshot: the
// one list of users without history, and the week's trending list a short history's fallback is
// taken from. A change to the trending read model is not seen until the next snapshot.

interface Recommendations {
  readonly items: readonly { readonly movie: { readonly id: string }; readonly reason: string }[];
}

describe('recommendations from the trending snapshot', function () {
  this.timeout(60_000);
  let running: TestService | undefined;
  let pool: pg.Pool | undefined;
  afterEach(async () => {
    await pool?.end();
    await running?.stop();
    pool = undefined;
    running = undefined;
  });

  /** Every read model the snapshot reads, and cowatch has passed `position`. */
  const settled = (position: string): Promise<void> => projectionsPassed(pool!, ['trending', 'catalogue', 'ratings', 'cowatch'], position);

  const watch = async (api: Client, viewer: SignedIn, movieId: string): Promise<string> => {
    const reply = await api.post(`/movies/${movieId}/watched`, {}, { token: viewer.accessToken });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return String(reply.body.position);
  };

  // Each read asks for another limit: a page kept in memory by the request path would be another one.
  const recommended = async (api: Client, viewer: SignedIn, limit: number, minPosition?: string): Promise<string[]> => {
    const reply = await api.get<Recommendations>(`/me/recommendations?limit=${limit}`, {
      token: viewer.accessToken,
      ...(minPosition === undefined ? {} : { headers: { 'X-Min-Position': minPosition } }),
    });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return reply.body.items.map((item) => item.movie.id);
  };

  it('answers users without history and the fallback of a short history from the snapshot, until the next one', async () => {
    running = await startTestService(adminEnvironment);
    pool = createPool(running.database.url, 2, 'spec');
    const api = client(running.base);
    const admin = (await signInAsAdmin(api)).accessToken;
    const [a, b, c] = (await Promise.all([addMovie(api, admin), addMovie(api, admin), addMovie(api, admin)])).map(
      (movie) => movie.movieId,
    ) as [string, string, string];
    // a trends most (two watches), c next; the short history has seen c.
    await watch(api, await signUp(api), a);
    await watch(api, await signUp(api), a);
    const short = await signUp(api);
    await settled(await watch(api, short, c));
    await computeTrendingNow(running);
    const newcomer = await signUp(api);
    expect(await recommended(api, newcomer, 10)).to.deep.equal([a, c]);
    expect(await recommended(api, short, 10)).to.deep.equal([a]);

    // Were the route to rank, it would see a's watches as b's at once.
    await pool.query('UPDATE rm_trending.activity SET movie_id = $2 WHERE movie_id = $1', [a, b]);
    expect(await recommended(api, newcomer, 9)).to.deep.equal([a, c]);
    expect(await recommended(api, short, 9)).to.deep.equal([a]);

    // A write that changed trending since the snapshot, asked for with X-Min-Position: never the
    // older ranking, but one ranked on this request (with c's second watch, and a's watches as b's).
    const later = await watch(api, await signUp(api), c);
    expect(await recommended(api, newcomer, 7, later)).to.have.members([b, c]);
    expect(await recommended(api, short, 7, later)).to.deep.equal([b]);

    // The next slot's snapshot has them all.
    await computeTrendingNow(running, new Date(running.clock.now().getTime() + 60_000));
    expect(await recommended(api, newcomer, 8)).to.have.members([b, c]);
    expect(await recommended(api, short, 8)).to.deep.equal([b]);
  });
});
