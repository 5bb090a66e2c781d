import { expect } from 'chai';
import pg from 'pg';
import { client, type Client, type Reply } from '../support/http.ts';
import { mailRecipients } from '../support/mailbox.ts';
import { addMovie, adminEnvironment, register, signInAsAdmin, signUp, uniqueEmail, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { computeTrendingNow } from '../support/trendingSnapshot.ts';

// Issue 16: values no read model, the event log or an adapter can keep are refused at the edge with
// 400 naming the field, before anything is appended; what people type is read in one form.

describe('hostile values over HTTP', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let viewer: SignedIn;
  let events: pg.Pool;

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    viewer = await signUp(api);
    events = new pg.Pool({ connectionString: running.database.url.href, max: 1 });
  });
  after(async () => {
    await events.end();
    await running.stop();
  });

  const head = async (): Promise<bigint | null> => running.service.eventStore.headPosition();
  const paths = (reply: Reply): string[] => ((reply.body.errors ?? []) as { path: string }[]).map((error) => error.path).sort();

  /**
   * The request is refused with 400 naming exactly `fields`, and appended nothing: no event carries its
   * request id as correlation id. (Not the log's head: the sign-up's welcome mail, a reactor's job,
   * may append while the request is answered, and a CI run saw it.)
   */
  const refused = async (request: () => Promise<Reply>, fields: string[]): Promise<Reply> => {
    const reply = await request();
    expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
    expect(paths(reply)).to.deep.equal(fields);
    const requestId = reply.headers.get('x-request-id');
    expect(requestId).to.be.a('string').and.not.equal('');
    const { rows } = await events.query<{ type: string }>("SELECT type FROM events WHERE metadata->>'correlationId' = $1", [requestId]);
    expect(rows).to.deep.equal([]);
    return reply;
  };

  describe('times', () => {
    it('refuses a watch on February 30, at 24:00, with 500 fractional digits or before the first films', async () => {
      const { movieId } = await addMovie(api, admin);
      for (const watchedAt of [
        '2020-02-30T00:00:00Z',
        '2020-01-01T24:00:00Z',
        `2020-01-01T00:00:00.${'9'.repeat(500)}Z`,
        '1800-01-01T00:00:00Z',
      ])
        await refused(() => api.post(`/movies/${movieId}/watched`, { watchedAt }, { token: viewer.accessToken }), ['watchedAt']);
      const leapDay = await api.post(`/movies/${movieId}/watched`, { watchedAt: '2024-02-29T21:00:00Z' }, { token: viewer.accessToken });
      expect(leapDay.status).to.equal(200);
    });
  });

  describe('text', () => {
    it('refuses a title with NUL and an overview with an unpaired surrogate, naming both', async () => {
      const reply = await refused(
        () => api.post('/movies', { title: 'Heat\u0000', year: 1995, genres: [], overview: 'half an emoji \ud83d' }, { token: admin }),
        ['overview', 'title'],
      );
      expect(JSON.stringify(reply.body.errors))
        .to.match(/NUL/)
        .and.match(/surrogate/);
    });

    it('refuses a password with an unpaired surrogate without echoing it', async () => {
      const reply = await refused(
        () => api.post('/auth/register', { email: uniqueEmail(), password: 'Secret7 \udc00 pass', displayName: 'Lone' }),
        ['password'],
      );
      expect(JSON.stringify(reply.body)).to.not.include('Secret7');
    });
  });

  describe('what people type (NFKC)', () => {
    it('logs in with the address typed with a Kelvin sign', async () => {
      const account = await register(api, `kim-${Date.now()}@fastflix.test`);
      const reply = await api.post('/auth/login', { email: account.email.replace(/^k/, '\u212A'), password: account.password });
      expect(reply.status).to.equal(200);
    });

    it('mails the reset token to the address the account has, not the one typed', async () => {
      const account = await register(api, `kay-${Date.now()}@fastflix.test`);
      const typed = account.email.replace(/^k/, '\u212A');
      expect((await api.post('/auth/password-reset', { email: typed })).status).to.equal(202);
      const recipients = await mailRecipients(running.dataDir, (to) => to.toLowerCase() === account.email);
      expect(recipients).to.deep.equal([account.email]);
    });
  });

  describe('genres', () => {
    it('takes genres as MovieLens and TMDB write them and answers the canonical spelling', async () => {
      const { slug, position } = await addMovie(api, admin, { genres: ['Drama', 'Sci-Fi', 'IMAX', 'science fiction'] });
      const movie = await api.get(`/movies/${slug}`, { headers: { 'X-Min-Position': position } });
      expect(movie.body.genres).to.deep.equal(['drama', 'science-fiction']);
      const filtered = await api.get(`/movies?genre=Sci-Fi&q=${encodeURIComponent(String(movie.body.title))}`, {
        headers: { 'X-Min-Position': String(await head()) },
      });
      expect((filtered.body.items as { slug: string }[]).map((item) => item.slug)).to.include(slug);
    });

    it('refuses an unknown genre listing the allowed ones, and IMAX as a filter', async () => {
      const reply = await refused(() => api.get('/movies?genre=Polka'), ['genre']);
      expect(JSON.stringify(reply.body.errors)).to.include('science-fiction');
      await refused(() => api.get('/movies?genre=IMAX'), ['genre']);
      await refused(
        () => api.post('/movies', { title: 'Polka', year: 2000, genres: ['polka'], overview: '' }, { token: admin }),
        ['genres[0]'],
      );
    });
  });

  describe('queries, paths and cursors', () => {
    const recode = (cursor: string, change: (values: unknown[]) => unknown[]): string =>
      Buffer.from(JSON.stringify(change(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]))).toString('base64url');

    const firstCursor = async (path: string, token?: string): Promise<string> => {
      const reply = await api.get(path, { token, headers: { 'X-Min-Position': String(await head()) } });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      expect(reply.body.nextCursor).to.be.a('string');
      return String(reply.body.nextCursor);
    };

    it('refuses NUL in q with 400 and finds no movie for a NUL in a slug', async () => {
      await refused(() => api.get('/movies?q=heat%00'), ['q']);
      expect((await api.get('/movies/heat%00')).status).to.equal(404);
      expect((await api.get('/movies/heat%00/also-watched')).status).to.equal(404);
      expect((await api.get(`/movies/${'-'.repeat(36)}`)).status).to.equal(404);
    });

    it('refuses crafted cursors whose values no column holds', async () => {
      await addMovie(api, admin, { year: 1990 });
      await addMovie(api, admin, { year: 1991 });
      const byYear = await firstCursor('/movies?sort=year&limit=1');
      for (const year of [2 ** 31, -1.5, 1e300])
        await refused(
          () => api.get(`/movies?sort=year&limit=1&cursor=${recode(byYear, (v) => [...v.slice(0, 3), year, v[4]])}`),
          ['cursor'],
        );
      await refused(
        () => api.get(`/movies?sort=year&limit=1&cursor=${recode(byYear, (v) => [...v.slice(0, 4), '-'.repeat(36)])}`),
        ['cursor'],
      );
      const byRating = await firstCursor('/movies?sort=rating&limit=1');
      await refused(
        () => api.get(`/movies?sort=rating&limit=1&cursor=${recode(byRating, (v) => [...v.slice(0, 4), 1e300, v[5]])}`),
        ['cursor'],
      );
      const byTitle = await firstCursor('/movies?sort=title&limit=1');
      await refused(
        () => api.get(`/movies?sort=title&limit=1&cursor=${recode(byTitle, (v) => [...v.slice(0, 3), 'heat\u0000', v[4]])}`),
        ['cursor'],
      );
      // The cursors themselves still work.
      expect((await api.get(`/movies?sort=year&limit=1&cursor=${byYear}`)).status).to.equal(200);
    });

    it('refuses a trending cursor ending before year 1000 and a ratings cursor of 1e300 ms', async () => {
      const movies = [await addMovie(api, admin), await addMovie(api, admin)];
      for (const { movieId } of movies) await api.post(`/movies/${movieId}/watched`, {}, { token: viewer.accessToken });
      for (const { movieId } of movies) await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      // Read-your-writes waits for the read models (then finds the ranking older: 503), which are ranked now.
      await api.get('/movies/trending', { headers: { 'X-Min-Position': String(await head()) } });
      await computeTrendingNow(running);
      const trending = await firstCursor('/movies/trending?limit=1');
      await refused(() => api.get(`/movies/trending?limit=1&cursor=${recode(trending, (v) => [-8.64e15, ...v.slice(1)])}`), ['cursor']);
      const ratings = await firstCursor('/me/ratings?limit=1', viewer.accessToken);
      await refused(
        () => api.get(`/me/ratings?limit=1&cursor=${recode(ratings, (v) => [1e300, v[1]])}`, { token: viewer.accessToken }),
        ['cursor'],
      );
    });
  });
});
