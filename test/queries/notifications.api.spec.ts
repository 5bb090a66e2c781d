import { expect } from 'chai';
import { encodeCursor } from '../../src/queries/shared/movies.ts';
import { runCli } from '../support/cliProcess.ts';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, logIn, signInAsAdmin, uniqueEmail } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

// The inbox over HTTP: what creates notifications, the order and pages of GET /me/notifications,
// marking one read (and that a rebuild of the read model keeps it read), and every refusal.

interface Item {
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
  readonly readAt: string | null;
  readonly position: string;
  readonly movie?: { readonly id: string; readonly title: string };
}
interface Inbox {
  readonly items: Item[];
  readonly nextCursor: string | null;
}

describe('the notification inbox over HTTP', function () {
  this.timeout(120_000);
  let running: TestService;
  let api: Client;
  let admin: string;

  const at = (position: unknown) => ({ 'X-Min-Position': String(position) });
  const join = async (): Promise<{ userId: string; token: string; position: string }> => {
    const email = uniqueEmail();
    const reply = await api.post('/auth/register', { email, password: 'correct horse battery', displayName: 'A Viewer' });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    const { accessToken } = await logIn(api, email, 'correct horse battery');
    return { userId: String(reply.body.userId), token: accessToken, position: String(reply.body.position) };
  };
  const inbox = async (token: string, position: unknown, query = ''): Promise<Inbox> => {
    const reply = await api.get<Inbox>(`/me/notifications${query}`, { token, headers: at(position) });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return reply.body;
  };

  before(async () => {
    running = await startTestService({ ...adminEnvironment });
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
  });
  after(async () => {
    await running.stop();
  });

  it('welcomes a new user, unread', async () => {
    const viewer = await join();
    const { items, nextCursor } = await inbox(viewer.token, viewer.position);
    expect(items.map((item) => [item.type, item.readAt])).to.deep.equal([['welcome', null]]);
    expect(items[0]).to.include.keys('id', 'createdAt', 'position', 'displayName');
    expect(nextCursor).to.equal(null);
  });

  describe('with movies in a favourite genre and on the watchlist', () => {
    let viewer: { userId: string; token: string; position: string };
    let other: { userId: string; token: string; position: string };
    let last: string;

    before(async () => {
      viewer = await join();
      other = await join();
      const liked = await addMovie(api, admin, { genres: ['western'] });
      const rated = await api.put(`/movies/${liked.movieId}/rating`, { score: 5 }, { token: viewer.token });
      expect(rated.status).to.equal(200);
      const listed = await api.put(`/me/watchlist/${liked.movieId}`, undefined, { token: viewer.token });
      expect(listed.status).to.equal(200);
      await addMovie(api, admin, { title: 'Unforgiven', genres: ['western', 'drama'] });
      expect((await api.patch(`/movies/${liked.movieId}`, { overview: 'Revised.' }, { token: admin })).status).to.equal(200);
      const archived = await api.delete(`/movies/${liked.movieId}`, { token: admin });
      expect(archived.status).to.equal(200);
      last = String(archived.body.position);
    });

    it('lists them newest first, and nothing of them for a user with no such taste or list', async () => {
      const { items } = await inbox(viewer.token, last);
      expect(items.map((item) => item.type)).to.deep.equal([
        'watchlist.movieArchived',
        'watchlist.movieChanged',
        'movie.inFavouriteGenre',
        'welcome',
      ]);
      expect(items[2]?.movie?.title).to.equal('Unforgiven');
      expect((await inbox(other.token, last)).items.map((item) => item.type)).to.deep.equal(['welcome']);
    });

    it('pages through them with the cursor, unread first then newest, each once', async () => {
      const whole = (await inbox(viewer.token, last)).items.map((item) => item.id);
      const read = await api.post(`/me/notifications/${whole[1] ?? ''}/read`, undefined, { token: viewer.token });
      expect(read.status, JSON.stringify(read.body)).to.equal(200);
      const expected = [...whole.filter((id) => id !== whole[1]), whole[1]];
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`;
        const page = await inbox(viewer.token, read.body.position, query);
        expect(page.items).to.have.length(1);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen).to.deep.equal(expected);
    });

    it('marks a notification read once: reading it again records nothing new', async () => {
      const [first] = (await inbox(viewer.token, last)).items;
      const once = await api.post(`/me/notifications/${first?.id ?? ''}/read`, undefined, { token: viewer.token });
      const twice = await api.post(`/me/notifications/${first?.id ?? ''}/read`, undefined, { token: viewer.token });
      expect([once.status, twice.status]).to.deep.equal([200, 200]);
      expect(twice.body.position).to.equal(once.body.position);
      expect(once.headers.get('x-event-position')).to.equal(once.body.position);
      const after = (await inbox(viewer.token, once.body.position)).items.find((item) => item.id === first?.id);
      expect(after?.readAt).to.be.a('string');
    });

    it('answers 404 for another user’s notification and for an unknown one, and changes nothing', async () => {
      const [theirs] = (await inbox(other.token, last)).items;
      const stolen = await api.post(`/me/notifications/${theirs?.id ?? ''}/read`, undefined, { token: viewer.token });
      expect(stolen.status).to.equal(404);
      const unknown = await api.post('/me/notifications/00000000-0000-4000-8000-000000000000/read', undefined, { token: viewer.token });
      expect(unknown.status).to.equal(404);
      expect((await inbox(other.token, last)).items[0]?.readAt).to.equal(null);
    });

    it('answers 400 naming the id for a malformed one, and 401 without a token', async () => {
      const malformed = await api.post('/me/notifications/not-an-id/read', undefined, { token: viewer.token });
      expect(malformed.status).to.equal(400);
      expect(malformed.body.errors).to.deep.equal([{ path: 'id', message: 'must be a notification id (a UUID)' }]);
      expect((await api.post('/me/notifications/00000000-0000-4000-8000-000000000000/read')).status).to.equal(401);
      expect((await api.get('/me/notifications')).status).to.equal(401);
      expect((await api.get('/me/notifications', { token: 'not.a.token' })).status).to.equal(401);
    });

    it('answers 400 for a cursor it did not give out, and for a bad limit', async () => {
      for (const cursor of [
        'garbage',
        encodeCursor([2, Date.now(), viewer.userId]),
        encodeCursor([1, 'yesterday', viewer.userId]),
        encodeCursor([1, Date.now(), 'x']),
      ]) {
        const reply = await api.get(`/me/notifications?cursor=${cursor}`, { token: viewer.token });
        expect(reply.status, cursor).to.equal(400);
        expect(reply.body.errors).to.deep.equal([{ path: 'cursor', message: 'is not a cursor this list gave out' }]);
      }
      expect((await api.get('/me/notifications?limit=0', { token: viewer.token })).status).to.equal(400);
      expect((await api.get('/me/notifications?colour=red', { token: viewer.token })).status).to.equal(400);
    });

    it('keeps what was read through a rebuild of the read model, with the same ids', async () => {
      const before = await inbox(viewer.token, last);
      expect(before.items.some((item) => item.readAt !== null)).to.equal(true);
      // As an operator would, beside the running service: rebuilt from the log, compared with the live tables, swapped in.
      const run = runCli(['projections', 'rebuild', 'notifications'], {
        DATABASE_URL: running.database.url.href,
        LOG_LEVEL: 'warn',
        FASTFLIX_DATA_DIR: running.dataDir,
      });
      expect(await run.exited, run.stdout() + run.stderr()).to.equal(0);
      expect(run.stdout()).to.match(/notifications.*identical/is);
      expect(await inbox(viewer.token, last)).to.deep.equal(before);
    });
  });
});
