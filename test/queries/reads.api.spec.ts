import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

describe('reads over HTTP', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let viewer: SignedIn;

  before(async () => {
    running = await startTestService({ ...adminEnvironment, READ_YOUR_WRITES_TIMEOUT: '1' });
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    viewer = await signUp(api);
  });
  after(async () => {
    await running.stop();
  });

  const consistent = (position: unknown) => ({ headers: { 'X-Min-Position': String(position) } });

  describe('read-your-writes', () => {
    it('answers a read sent with X-Min-Position only once it includes the write', async () => {
      const added = await api.post(
        '/movies',
        { title: 'Read Your Writes', year: 2020, genres: ['drama'], overview: 'Consistency.' },
        { token: admin },
      );
      const reply = await api.get(`/movies/${String(added.body.slug)}`, consistent(added.body.position));
      expect(reply.status).to.equal(200);
      expect(reply.body.title).to.equal('Read Your Writes');
      const rated = await api.put(`/movies/${String(added.body.movieId)}/rating`, { score: 4.5 }, { token: viewer.accessToken });
      const after = await api.get(`/movies/${String(added.body.movieId)}`, consistent(rated.body.position));
      expect((after.body.rating as { count: number; average: number }).count).to.equal(1);
      expect((after.body.rating as { average: number }).average).to.equal(4.5);
    });

    it('answers 503 with Retry-After when the read models cannot catch up in time', async () => {
      const reply = await api.get('/movies/some-slug', consistent('999999999999999999'));
      expect(reply.status).to.equal(503);
      expect(reply.headers.get('retry-after')).to.equal('1');
    });

    it('refuses an X-Min-Position that is no position with 400', async () => {
      expect((await api.get('/movies/some-slug', consistent('yesterday'))).status).to.equal(400);
    });
  });

  describe('GET /movies/:idOrSlug', () => {
    it('finds a movie by id and by slug, with its rating', async () => {
      const movie = await addMovie(api, admin, { title: 'Heat', year: 1995 });
      const rated = await api.put(`/movies/${movie.movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      const byId = await api.get(`/movies/${movie.movieId}`, consistent(rated.body.position));
      const bySlug = await api.get(`/movies/${movie.slug}`, consistent(rated.body.position));
      expect(byId.body).to.deep.equal(bySlug.body);
      expect(byId.body).to.include({ id: movie.movieId, slug: movie.slug, title: 'Heat', year: 1995 });
      expect(byId.body.rating).to.deep.equal({
        average: 4,
        count: 1,
        histogram: { '0.5': 0, '1.0': 0, '1.5': 0, '2.0': 0, '2.5': 0, '3.0': 0, '3.5': 0, '4.0': 1, '4.5': 0, '5.0': 0 },
      });
      expect(Object.keys(byId.body).sort()).to.deep.equal([
        'createdAt',
        'externalIds',
        'genres',
        'id',
        'overview',
        'rating',
        'slug',
        'title',
        'updatedAt',
        'year',
      ]);
    });

    it('answers 404 for an archived movie and for nonsense', async () => {
      const movie = await addMovie(api, admin);
      const archived = await api.delete(`/movies/${movie.movieId}`, { token: admin });
      expect((await api.get(`/movies/${movie.movieId}`, consistent(archived.body.position))).status).to.equal(404);
      expect((await api.get('/movies/no-such-movie')).status).to.equal(404);
      expect((await api.get(`/movies/${'x'.repeat(300)}`)).status).to.equal(404);
    });
  });

  describe('GET /me/watchlist', () => {
    it('lists the watchlist newest first, page by page, with stable cursors', async () => {
      const user = await signUp(api);
      let position = '0';
      const movies: string[] = [];
      for (let n = 0; n < 5; n++) {
        const movie = await addMovie(api, admin);
        movies.push(movie.movieId);
        position = String((await api.put(`/me/watchlist/${movie.movieId}`, undefined, { token: user.accessToken })).body.position);
      }
      const first = await api.get<{ items: { movie: { id: string } }[]; nextCursor: string }>('/me/watchlist?limit=2', {
        token: user.accessToken,
        ...consistent(position),
      });
      expect(first.body.items.map((item) => item.movie.id)).to.deep.equal([movies[4], movies[3]]);
      // Something added meanwhile does not shift the pages already handed out.
      const extra = await addMovie(api, admin);
      await api.put(`/me/watchlist/${extra.movieId}`, undefined, { token: user.accessToken });
      const second = await api.get<{ items: { movie: { id: string } }[]; nextCursor: string | null }>(
        `/me/watchlist?limit=2&cursor=${first.body.nextCursor}`,
        { token: user.accessToken },
      );
      expect(second.body.items.map((item) => item.movie.id)).to.deep.equal([movies[2], movies[1]]);
      const third = await api.get<{ items: { movie: { id: string } }[]; nextCursor: string | null }>(
        `/me/watchlist?limit=2&cursor=${String(second.body.nextCursor)}`,
        { token: user.accessToken },
      );
      expect(third.body.items.map((item) => item.movie.id)).to.deep.equal([movies[0]]);
      expect(third.body.nextCursor).to.equal(null);
    });

    it('refuses bad paging with 400 naming the parameter, and needs a token', async () => {
      const bad = await api.get('/me/watchlist?limit=0&page=2', { token: viewer.accessToken });
      expect(bad.status).to.equal(400);
      expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).to.deep.equal(['limit', 'page']);
      expect((await api.get('/me/watchlist?cursor=garbage', { token: viewer.accessToken })).status).to.equal(400);
      expect((await api.get('/me/watchlist')).status).to.equal(401);
    });
  });

  describe('GET /me/ratings', () => {
    it('lists the current ratings, a re-rating replacing the old one', async () => {
      const user = await signUp(api);
      const movie = await addMovie(api, admin);
      await api.put(`/movies/${movie.movieId}/rating`, { score: 2 }, { token: user.accessToken });
      const again = await api.put(`/movies/${movie.movieId}/rating`, { score: 3.5 }, { token: user.accessToken });
      const reply = await api.get<{ items: { movie: { id: string }; score: number }[] }>('/me/ratings', {
        token: user.accessToken,
        ...consistent(again.body.position),
      });
      expect(reply.body.items.map((item) => [item.movie.id, item.score])).to.deep.equal([[movie.movieId, 3.5]]);
    });
  });
});
