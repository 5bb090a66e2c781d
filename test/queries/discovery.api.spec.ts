import { expect } from 'chai';
import type pg from 'pg';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { refreshSimilarity } from '../../src/projections/cowatch/refresh.ts';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminCredentials, adminEnvironment, logIn, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { computeTrendingNow } from '../support/trendingSnapshot.ts';

interface Listed {
  movie: { id: string; title: string };
  score: number;
}

describe('trending, also watched and recommendations over HTTP', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let pool: pg.Pool;

  before(async () => {
    running = await startTestService({ ...adminEnvironment, READ_YOUR_WRITES_TIMEOUT: '5' });
    api = client(running.base);
    pool = createPool(running.database.url, 2, 'spec');
  });
  after(async () => {
    await pool.end();
    await running.stop();
  });

  /** Tokens expire while the clock moves: sign in again at the current time. */
  const tokenOf = async (user: { email: string; password: string }): Promise<string> =>
    (await logIn(api, user.email, user.password)).accessToken;
  const admin = (): Promise<string> => tokenOf(adminCredentials);
  const consistent = (position: unknown, token?: string) => ({ token, headers: { 'X-Min-Position': String(position) } });
  const rate = async (user: SignedIn, movieId: string, score: number): Promise<string> =>
    String((await api.put(`/movies/${movieId}/rating`, { score }, { token: await tokenOf(user) })).body.position);
  const watch = async (user: SignedIn, movieId: string): Promise<string> =>
    String((await api.post(`/movies/${movieId}/watched`, {}, { token: await tokenOf(user) })).body.position);
  /** Waits until every read model has the write, then recomputes the similarity tables as the service's timer would. */
  const settleAndRefresh = async (position: string, user: SignedIn): Promise<void> => {
    expect((await api.get('/me/recommendations', consistent(position, await tokenOf(user)))).status).to.equal(200);
    await refreshSimilarity(pool);
  };
  const fans = (count: number): Promise<SignedIn[]> => Promise.all(Array.from({ length: count }, () => signUp(api)));

  describe('GET /movies/:id/also-watched', () => {
    it('lists what the fans of a movie also liked or watched, most similar first, archived ones left out', async () => {
      const token = await admin();
      const [heat, ronin, collateral, thief] = await Promise.all([1, 2, 3, 4].map(() => addMovie(api, token)));
      const [ann, bob, cid] = await fans(3);
      for (const fan of [ann!, bob!, cid!]) {
        await rate(fan, heat!.movieId, 5);
        await rate(fan, ronin!.movieId, 4);
      }
      await watch(ann!, collateral!.movieId);
      await watch(bob!, collateral!.movieId);
      const last = await watch(cid!, thief!.movieId);
      await settleAndRefresh(last, ann!);
      const reply = await api.get<{ computedAt: string; items: { movie: { id: string }; similarity: number }[] }>(
        `/movies/${heat!.movieId}/also-watched`,
      );
      expect(reply.status).to.equal(200);
      expect(reply.body.items.map((item) => item.movie.id)).to.deep.equal([ronin!.movieId, collateral!.movieId, thief!.movieId]);
      // Three shared fans of three each, shrinkage 10: 3 / (3 + 10); two of three and two: 2 / (sqrt(6) + 10).
      expect(reply.body.items.map((item) => item.similarity)).to.deep.equal(
        [3 / 13, 2 / (Math.sqrt(6) + 10), 1 / (Math.sqrt(3) + 10)].map((value) => Math.round(value * 10_000) / 10_000),
      );
      expect(Date.parse(reply.body.computedAt)).to.be.closeTo(Date.now(), 60_000);
      const archived = await api.delete(`/movies/${collateral!.movieId}`, { token });
      const after = await api.get<{ items: { movie: { id: string } }[] }>(
        `/movies/${heat!.movieId}/also-watched?limit=5`,
        consistent(archived.body.position),
      );
      expect(after.body.items.map((item) => item.movie.id)).to.deep.equal([ronin!.movieId, thief!.movieId]);
      expect((await api.get(`/movies/${heat!.slug}/also-watched?limit=1`)).body.items).to.have.length(1);
    });

    it('answers 404 for an unknown or archived movie and 400 naming bad parameters', async () => {
      const token = await admin();
      const gone = await addMovie(api, token);
      const archived = await api.delete(`/movies/${gone.movieId}`, { token });
      expect((await api.get(`/movies/${gone.movieId}/also-watched`, consistent(archived.body.position))).status).to.equal(404);
      expect((await api.get('/movies/6b1d6a3e-3f5e-4a8e-9a53-2f4f5e6d7c8b/also-watched')).status).to.equal(404);
      const bad = await api.get(`/movies/${(await addMovie(api, token)).movieId}/also-watched?limit=0&sort=new`);
      expect(bad.status).to.equal(400);
      expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).to.deep.equal(['limit', 'sort']);
    });
  });

  describe('GET /me/recommendations', () => {
    it('needs a signed-in user', async () => {
      expect((await api.get('/me/recommendations')).status).to.equal(401);
    });

    it('offers a new user what is trending, then what is popular', async () => {
      const hit = await addMovie(api, await admin());
      const [someone, newcomer] = await fans(2);
      const position = await watch(someone!, hit.movieId);
      const reply = await api.get<{ items: (Listed & { reason: string })[] }>(
        '/me/recommendations?limit=100',
        consistent(position, await tokenOf(newcomer!)),
      );
      expect(reply.status).to.equal(200);
      const reasons = reply.body.items.map((item) => item.reason);
      expect(reasons[0]).to.equal('trending');
      expect(reply.body.items.map((item) => item.movie.id)).to.include(hit.movieId);
      expect(reasons.filter((reason) => reason === 'similar')).to.deep.equal([]);
      expect(reasons.indexOf('popular') === -1 || reasons.lastIndexOf('trending') < reasons.indexOf('popular')).to.equal(true);
    });

    it('gives every user without history one list, kept in memory, and a user their own list from their first rating', async () => {
      const hit = await addMovie(api, await admin());
      const [someone, first, second] = await fans(3);
      const watched = await watch(someone!, hit.movieId);
      // Signed in before the pause: a sign-in is an event too, and until the service's change feed
      // has read past it nothing read before can be proven current (a list is read again instead).
      const tokens = new Map([first!, second!].map((user) => [user, tokenOf(user)]));
      await Promise.all(tokens.values());
      // Time for the feed to read past the writes: a list is kept only while the feed has seen as far
      // as the read models stand.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const listOf = async (user: SignedIn, at: string) => {
        const reply = await api.get<{ items: (Listed & { reason: string })[] }>(
          '/me/recommendations?limit=100',
          consistent(at, await (tokens.get(user) ?? tokenOf(user))),
        );
        expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
        return reply.body.items.map((item) => `${item.movie.id} ${item.score} ${item.reason}`);
      };
      const firstList = await listOf(first!, watched);
      expect(firstList.some((item) => item.startsWith(hit.movieId))).to.equal(true);
      // Written behind the projection's back: only a list read from the tables would show it.
      const tamper = (by: number) =>
        pool.query('UPDATE rm_trending.activity SET watches = watches + $1 WHERE movie_id = $2', [by, hit.movieId]);
      await tamper(1_000);
      try {
        expect(await listOf(second!, watched)).to.deep.equal(firstList);
      } finally {
        await tamper(-1_000);
      }
      // Once the second user rated the movie, their list is their own and leaves it out; the rating
      // changed the read models, so the first user's list is read again.
      const rated = await rate(second!, hit.movieId, 4);
      const secondList = await listOf(second!, rated);
      expect(secondList.some((item) => item.startsWith(hit.movieId))).to.equal(false);
      expect((await listOf(first!, rated)).some((item) => item.startsWith(hit.movieId))).to.equal(true);
    });

    it('recommends what resembles the user’s favourites, never what they rated, watched or what was archived', async () => {
      const token = await admin();
      const [alien, aliens, prometheus, aliens3, up] = await Promise.all([1, 2, 3, 4, 5].map(() => addMovie(api, token)));
      const crowd = await fans(3);
      for (const fan of crowd) {
        await rate(fan, alien!.movieId, 5);
        await rate(fan, aliens!.movieId, 4.5);
        await rate(fan, prometheus!.movieId, 3);
      }
      await watch(crowd[0]!, up!.movieId);
      await rate(crowd[1]!, aliens3!.movieId, 4);
      const viewer = await signUp(api);
      await rate(viewer, alien!.movieId, 5);
      const last = await watch(viewer, up!.movieId);
      await settleAndRefresh(last, viewer);
      const archived = await api.delete(`/movies/${aliens3!.movieId}`, { token });
      const reply = await api.get<{ items: (Listed & { reason: string })[] }>(
        '/me/recommendations?limit=3',
        consistent(archived.body.position, await tokenOf(viewer)),
      );
      expect(reply.status).to.equal(200);
      expect(reply.body.items).to.have.length(3);
      expect(reply.body.items.slice(0, 2).map((item) => [item.movie.id, item.reason])).to.deep.equal([
        [aliens!.movieId, 'similar'],
        [prometheus!.movieId, 'similar'],
      ]);
      const ids = reply.body.items.map((item) => item.movie.id);
      for (const excluded of [alien!.movieId, up!.movieId, aliens3!.movieId]) expect(ids).not.to.include(excluded);
      expect(reply.body.items[0]?.score).to.be.greaterThan(reply.body.items[1]?.score ?? Infinity);
    });

    it('falls back to everyone’s trending list, kept in memory, without the user’s movies, and ranks again when they saw all of it', async () => {
      const token = await admin();
      // 51 movies, each watched by four helpers and the fan, lead the week (no other movie here has
      // a score of 5), so the shared list for one pick (the page and 50 more) is exactly them, all
      // seen by the fan. Nobody who watched them watched anything else, so the fan has no
      // neighbours to be recommended (whenever the similarity tables are refreshed): only trending.
      // `other` watched one movie that nobody else watched: no neighbours either.
      const [lead, lone] = [await Promise.all(Array.from({ length: 51 }, () => addMovie(api, token))), await addMovie(api, token)];
      const [fan, other, ...helpers] = await fans(6);
      let last = '';
      for (const movie of lead) for (const viewer of [fan!, ...helpers]) last = await watch(viewer, movie.movieId);
      last = await watch(other!, lone.movieId);
      // Signed in before the pause, as in the test of users without history above.
      const tokens = new Map([fan!, other!].map((user) => [user, tokenOf(user)]));
      await Promise.all(tokens.values());
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pickOf = async (user: SignedIn) => {
        const reply = await api.get<{ items: (Listed & { reason: string })[] }>(
          '/me/recommendations?limit=1',
          consistent(last, await (tokens.get(user) ?? tokenOf(user))),
        );
        expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
        return reply.body.items.map((item) => `${item.movie.id} ${item.reason}`);
      };
      const week = async () =>
        (await api.get<{ items: Listed[] }>('/movies/trending?window=7d&limit=100')).body.items.map((item) => item.movie.id);
      await computeTrendingNow(running);
      const leading = (await week()).slice(0, 51);
      expect([...leading].sort()).to.deep.equal(lead.map((movie) => movie.movieId).sort());
      // Ranked again without the fan's 51: the first of the week after them.
      const fansPick = (await week())[51];
      expect(await pickOf(fan!)).to.deep.equal([`${fansPick} trending`]);
      // From the shared list: the week's first, which `other` has not seen.
      expect(await pickOf(other!)).to.deep.equal([`${leading[0]} trending`]);
      // Written behind the projection's back: a list ranked from the tables would now lead with it.
      const tamper = (by: number) =>
        pool.query('UPDATE rm_trending.activity SET watches = watches + $1 WHERE movie_id = $2', [by, leading[50]]);
      await tamper(1_000);
      try {
        expect(await pickOf(other!)).to.deep.equal([`${leading[0]} trending`]);
      } finally {
        await tamper(-1_000);
      }
    });

    it('refuses bad parameters with 400 naming them', async () => {
      const user = await signUp(api);
      const bad = await api.get('/me/recommendations?limit=101&seed=4', { token: user.accessToken });
      expect(bad.status).to.equal(400);
      expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).to.deep.equal(['limit', 'seed']);
    });
  });

  describe('GET /movies/trending', () => {
    const trendingOf = async (query: string, movies: readonly string[]) => {
      const reply = await api.get<{ basis: string; from: string; to: string; window: string; items: Listed[]; nextCursor: string | null }>(
        `/movies/trending?${query}`,
      );
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      return { ...reply.body, mine: reply.body.items.filter((item) => movies.includes(item.movie.id)).map((item) => item.movie.id) };
    };

    /** Waits until every read model has the write (read-your-writes on a read of them), then ranks as the scheduler would. */
    const settledAndRanked = async (position: unknown): Promise<void> => {
      await api.get('/me/recommendations', consistent(position, await admin()));
      await computeTrendingNow(running);
    };

    it('scores by decayed activity: a burst 20 hours ago leads the week but no longer the day', async () => {
      const token = await admin();
      const [burst, fresh] = await Promise.all([addMovie(api, token), addMovie(api, token)]);
      const viewers = await fans(3);
      for (const viewer of viewers) await watch(viewer, burst.movieId);
      running.clock.advance(20 * 3_600);
      await watch(viewers[0]!, fresh.movieId);
      const last = await rate(viewers[1]!, fresh.movieId, 5);
      await settledAndRanked(last);
      const day = await trendingOf('window=24h&limit=100', [burst.movieId, fresh.movieId]);
      expect(day.mine).to.deep.equal([fresh.movieId, burst.movieId]);
      expect(day.basis).to.equal('now');
      expect(Date.parse(day.to) - Date.parse(day.from)).to.equal(24 * 3_600_000);
      const week = await trendingOf('window=7d&limit=100', [burst.movieId, fresh.movieId]);
      expect(week.mine).to.deep.equal([burst.movieId, fresh.movieId]);
    });

    it('pages with a cursor, and leaves archived movies out', async () => {
      const token = await admin();
      const [first, second] = [await addMovie(api, token), await addMovie(api, token)];
      const viewers = await fans(2);
      for (const viewer of viewers) await watch(viewer, first.movieId);
      await watch(viewers[0]!, second.movieId);
      const archived = await api.delete(`/movies/${first.movieId}`, { token });
      await settledAndRanked(archived.body.position);
      const all = await trendingOf('limit=100', [first.movieId, second.movieId]);
      expect(all.mine).to.deep.equal([second.movieId]);
      const pageOne = await trendingOf('limit=2', []);
      expect(pageOne.nextCursor).to.be.a('string');
      const pageTwo = await trendingOf(`limit=100&cursor=${pageOne.nextCursor}`, []);
      expect(pageTwo.items.map((item) => item.movie.id)).to.deep.equal(all.items.slice(2).map((item) => item.movie.id));
    });

    it('serves the snapshot ranked last, whatever changed since, and what changed once ranked again', async () => {
      const token = await admin();
      const [kept, other] = [await addMovie(api, token), await addMovie(api, token)];
      const [viewer] = await fans(1);
      const watchesOf = async (at: string, movieId = kept.movieId): Promise<number | undefined> => {
        const reply = await api.get<{ items: (Listed & { watches: number })[] }>('/movies/trending?limit=100', consistent(at));
        expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
        return reply.body.items.find((item) => item.movie.id === movieId)?.watches;
      };
      const first = await watch(viewer!, kept.movieId);
      await settledAndRanked(first);
      expect(await watchesOf(first)).to.equal(1);
      // Written behind the projection's back: only a ranking that reads the table shows it.
      const tamper = (by: number) =>
        pool.query('UPDATE rm_trending.activity SET watches = watches + $1 WHERE movie_id = $2', [by, kept.movieId]);
      await tamper(50);
      try {
        expect(await watchesOf(first)).to.equal(1);
        running.clock.advance(6);
        await computeTrendingNow(running);
        expect(await watchesOf(first)).to.equal(51);
      } finally {
        await tamper(-50);
      }
      const archived = await api.delete(`/movies/${other.movieId}`, { token: await admin() });
      expect(archived.status, JSON.stringify(archived.body)).to.equal(200);
      await settledAndRanked(archived.body.position);
      expect(await watchesOf(String(archived.body.position), other.movieId)).to.equal(undefined);
    });

    it('refuses bad parameters with 400 naming them', async () => {
      const bad = await api.get('/movies/trending?window=1h&limit=0&top=5');
      expect(bad.status).to.equal(400);
      expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).to.deep.equal(['limit', 'top', 'window']);
      expect((await api.get('/movies/trending?cursor=garbage')).status).to.equal(400);
    });

    it('shows the latest window with activity, labelled, when nothing happened lately', async () => {
      await computeTrendingNow(running);
      const before = await trendingOf('window=7d&limit=100', []);
      running.clock.advance(30 * 86_400);
      await computeTrendingNow(running);
      const later = await trendingOf('window=7d&limit=100', []);
      expect(later.basis).to.equal('latest-activity');
      expect(Date.parse(later.to)).to.be.lessThan(Date.now() + 2 * 86_400_000);
      expect(Date.parse(later.to)).to.be.at.least(Date.parse(before.to) - 3_600_000);
      expect(later.items.map((item) => item.movie.id)).to.have.members(before.items.map((item) => item.movie.id));
      const day = await trendingOf('window=24h', []);
      expect(day.basis).to.equal('latest-activity');
      expect(day.items.length).to.be.greaterThan(0);
    });
  });
});
