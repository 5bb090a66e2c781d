import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, newMovie, signInAsAdmin, signUp } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

describe('movies over HTTP', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
  });
  after(async () => {
    await running.stop();
  });

  describe('POST /movies', () => {
    it('adds a movie: 201 with its id, a slug from title and year, and the position', async () => {
      const reply = await api.post('/movies', newMovie({ title: 'Amélie', year: 2001 }), { token: admin });
      expect(reply.status).to.equal(201);
      expect(reply.body.slug).to.equal('amelie-2001');
      expect(reply.body.movieId).to.match(/^[0-9a-f-]{36}$/);
      expect(reply.body.position).to.match(/^\d+$/);
      expect(reply.headers.get('location')).to.equal('/movies/amelie-2001');
    });

    it('takes a slug of its own, and refuses a taken one with 409', async () => {
      await addMovie(api, admin, { slug: 'my-own-slug' });
      const reply = await api.post('/movies', newMovie({ slug: 'my-own-slug' }), { token: admin });
      expect(reply.status).to.equal(409);
      expect(reply.body.detail).to.match(/slug/);
    });

    it('names every invalid field with 400', async () => {
      const reply = await api.post(
        '/movies',
        {
          title: '',
          year: 1066,
          genres: ['action', 'polka'],
          overview: 42,
          runtime: -5,
          externalIds: { imdbId: 'x', netflix: 1 },
          extra: true,
        },
        { token: admin },
      );
      expect(reply.status).to.equal(400);
      const paths = (reply.body.errors as { path: string }[]).map((error) => error.path).sort();
      expect(paths).to.deep.equal([
        'externalIds.imdbId',
        'externalIds.netflix',
        'extra',
        'genres[1]',
        'overview',
        'runtime',
        'title',
        'year',
      ]);
    });

    it('is for admins only: 401 without a token, 403 for a user', async () => {
      expect((await api.post('/movies', newMovie())).status).to.equal(401);
      const user = await signUp(api);
      expect((await api.post('/movies', newMovie(), { token: user.accessToken })).status).to.equal(403);
    });
  });

  describe('PATCH /movies/:id', () => {
    it('changes details, recording only what differs', async () => {
      const movie = await addMovie(api, admin);
      const changed = await api.patch(`/movies/${movie.movieId}`, { overview: 'Revised.', year: 1995 }, { token: admin });
      expect(changed.status).to.equal(200);
      const again = await api.patch(`/movies/${movie.movieId}`, { overview: 'Revised.' }, { token: admin });
      expect(again.status).to.equal(200);
      expect(again.body.position).to.equal(changed.body.position);
    });

    it('refuses an empty change with 400 and an unknown movie with 404', async () => {
      const movie = await addMovie(api, admin);
      expect((await api.patch(`/movies/${movie.movieId}`, {}, { token: admin })).status).to.equal(400);
      expect((await api.patch('/movies/6b1d6a3e-3f5e-4a8e-9a53-2f4f5e6d7c8b', { overview: 'x' }, { token: admin })).status).to.equal(404);
      expect((await api.patch('/movies/not-a-uuid', { overview: 'x' }, { token: admin })).status).to.equal(404);
    });
  });

  describe('DELETE /movies/:id', () => {
    it('archives the movie; archiving again changes nothing; changing it afterwards is a 409', async () => {
      const movie = await addMovie(api, admin);
      const archived = await api.delete(`/movies/${movie.movieId}`, { token: admin });
      expect(archived.status).to.equal(200);
      const again = await api.delete(`/movies/${movie.movieId}`, { token: admin });
      expect(again.status).to.equal(200);
      expect(again.body.position).to.equal(archived.body.position);
      expect((await api.patch(`/movies/${movie.movieId}`, { overview: 'x' }, { token: admin })).status).to.equal(409);
    });

    it('answers 404 for an unknown movie', async () => {
      expect((await api.delete('/movies/6b1d6a3e-3f5e-4a8e-9a53-2f4f5e6d7c8b', { token: admin })).status).to.equal(404);
    });
  });

  describe('PUT /admin/users/:id/role', () => {
    it('lets an admin make a user an admin, who can then add movies', async () => {
      const user = await signUp(api);
      const reply = await api.put(`/admin/users/${user.userId}/role`, { role: 'admin' }, { token: admin });
      expect(reply.status).to.equal(200);
      const promoted = await api.post('/auth/login', { email: user.email, password: user.password });
      expect((await api.post('/movies', newMovie(), { token: String(promoted.body.accessToken) })).status).to.equal(201);
    });

    it('takes admin rights away at once, even from a token that still says admin', async () => {
      const user = await signUp(api);
      await api.put(`/admin/users/${user.userId}/role`, { role: 'admin' }, { token: admin });
      const promoted = await api.post('/auth/login', { email: user.email, password: user.password });
      await api.put(`/admin/users/${user.userId}/role`, { role: 'user' }, { token: admin });
      expect((await api.post('/movies', newMovie(), { token: String(promoted.body.accessToken) })).status).to.equal(403);
    });

    it('refuses an unknown role with 400, an unknown user with 404, and a non-admin with 403', async () => {
      const user = await signUp(api);
      expect((await api.put(`/admin/users/${user.userId}/role`, { role: 'superuser' }, { token: admin })).status).to.equal(400);
      expect(
        (await api.put('/admin/users/6b1d6a3e-3f5e-4a8e-9a53-2f4f5e6d7c8b/role', { role: 'admin' }, { token: admin })).status,
      ).to.equal(404);
      expect((await api.put(`/admin/users/${user.userId}/role`, { role: 'admin' }, { token: user.accessToken })).status).to.equal(403);
    });
  });
});
