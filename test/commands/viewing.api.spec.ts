import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

describe('ratings, viewings and watchlists over HTTP', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let viewer: SignedIn;

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    viewer = await signUp(api);
  });
  after(async () => {
    await running.stop();
  });

  const eventsOf = async (userId: string, movieId: string): Promise<{ type: string; data: Record<string, unknown> }[]> =>
    (await running.service.eventStore.readStream(`viewing-${userId}_${movieId}` as never)).map(({ type, data }) => ({ type, data }));

  describe('PUT /movies/:id/rating', () => {
    it('records a rating, and a new score replaces it', async () => {
      const { movieId } = await addMovie(api, admin);
      const first = await api.put(`/movies/${movieId}/rating`, { score: 4.5 }, { token: viewer.accessToken });
      expect(first.status).to.equal(200);
      expect(first.body.position).to.match(/^\d+$/);
      await api.put(`/movies/${movieId}/rating`, { score: 3 }, { token: viewer.accessToken });
      expect(await eventsOf(viewer.userId, movieId)).to.deep.equal([
        { type: 'MovieRated', data: { userId: viewer.userId, movieId, score: 4.5, previousScore: null } },
        { type: 'MovieRated', data: { userId: viewer.userId, movieId, score: 3, previousScore: 4.5 } },
      ]);
    });

    // The service remembers the streams it decided on; a change made elsewhere (another process) must
    // still count: the same score again is a new rating once the first was retracted behind its back.
    it('decides on the stream as it is, not as the service last saw it', async () => {
      const { movieId } = await addMovie(api, admin);
      await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      await running.service.eventStore.appendToStream(
        `viewing-${viewer.userId}_${movieId}` as never,
        [
          {
            eventId: crypto.randomUUID(),
            type: 'RatingRetracted',
            schemaVersion: 1,
            data: { userId: viewer.userId, movieId, previousScore: 4 },
            metadata: { occurredAt: new Date().toISOString(), actorId: viewer.userId, correlationId: 'elsewhere', causationId: null },
          },
        ],
        { expectedRevision: 0n },
      );
      const again = await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      expect(again.status).to.equal(200);
      expect((await eventsOf(viewer.userId, movieId)).map((event) => event.type)).to.deep.equal([
        'MovieRated',
        'RatingRetracted',
        'MovieRated',
      ]);
      const retracted = await api.delete(`/movies/${movieId}/rating`, { token: viewer.accessToken });
      expect(retracted.status).to.equal(200);
      expect((await eventsOf(viewer.userId, movieId)).at(-1)?.type).to.equal('RatingRetracted');
    });

    it('refuses scores that are not half stars from 0.5 to 5 with 400, writing nothing', async () => {
      const { movieId } = await addMovie(api, admin);
      for (const score of [0, 5.5, 4.2, -1, '4', null]) {
        const reply = await api.put(`/movies/${movieId}/rating`, { score }, { token: viewer.accessToken });
        expect(reply.status, `score ${String(score)}`).to.equal(400);
        expect((reply.body.errors as { path: string }[])[0]?.path).to.equal('score');
      }
      expect(await eventsOf(viewer.userId, movieId)).to.deep.equal([]);
    });

    it('answers 404 for an unknown movie and 409 for an archived one, writing nothing', async () => {
      expect(
        (await api.put('/movies/6b1d6a3e-3f5e-4a8e-9a53-2f4f5e6d7c8b/rating', { score: 4 }, { token: viewer.accessToken })).status,
      ).to.equal(404);
      const { movieId } = await addMovie(api, admin);
      await api.delete(`/movies/${movieId}`, { token: admin });
      const reply = await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      expect(reply.status).to.equal(409);
      expect(reply.body.detail).to.match(/archived/);
      expect(await eventsOf(viewer.userId, movieId)).to.deep.equal([]);
    });

    it('leaves exactly one current rating after 50 parallel ratings by one user', async () => {
      const { movieId } = await addMovie(api, admin);
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          api.put(`/movies/${movieId}/rating`, { score: ((n % 10) + 1) / 2 }, { token: viewer.accessToken }),
        ),
      );
      expect(
        replies.every((reply) => reply.status === 200 || reply.status === 409),
        JSON.stringify(replies.map((r) => r.status)),
      ).to.equal(true);
      const events = await eventsOf(viewer.userId, movieId);
      // Every rating names the one it replaced, so the chain has no fork: one current score.
      events.forEach((event, index) => expect(event.data.previousScore).to.equal(index === 0 ? null : events[index - 1]?.data.score));
    });
  });

  describe('DELETE /movies/:id/rating', () => {
    it('retracts the rating; retracting again is a no-op with 200', async () => {
      const { movieId } = await addMovie(api, admin);
      await api.put(`/movies/${movieId}/rating`, { score: 2 }, { token: viewer.accessToken });
      expect((await api.delete(`/movies/${movieId}/rating`, { token: viewer.accessToken })).status).to.equal(200);
      expect((await api.delete(`/movies/${movieId}/rating`, { token: viewer.accessToken })).status).to.equal(200);
      expect((await eventsOf(viewer.userId, movieId)).map((event) => event.type)).to.deep.equal(['MovieRated', 'RatingRetracted']);
    });
  });

  describe('POST /movies/:id/watched', () => {
    it('records each viewing, at the time given or now', async () => {
      const { movieId } = await addMovie(api, admin);
      expect((await api.post(`/movies/${movieId}/watched`, {}, { token: viewer.accessToken })).status).to.equal(200);
      expect(
        (await api.post(`/movies/${movieId}/watched`, { watchedAt: '2026-01-01T20:00:00Z' }, { token: viewer.accessToken })).status,
      ).to.equal(200);
      const events = await eventsOf(viewer.userId, movieId);
      expect(events.map((event) => event.type)).to.deep.equal(['MovieWatched', 'MovieWatched']);
      expect(events[1]?.data.watchedAt).to.equal('2026-01-01T20:00:00Z');
    });

    it('refuses a time in the future or not a time with 400', async () => {
      const { movieId } = await addMovie(api, admin);
      expect(
        (await api.post(`/movies/${movieId}/watched`, { watchedAt: '2999-01-01T00:00:00Z' }, { token: viewer.accessToken })).status,
      ).to.equal(400);
      expect((await api.post(`/movies/${movieId}/watched`, { watchedAt: 'yesterday' }, { token: viewer.accessToken })).status).to.equal(
        400,
      );
    });
  });

  describe('the watchlist', () => {
    it('adds once: repeating is 200 with no new event; removing likewise', async () => {
      const { movieId } = await addMovie(api, admin);
      const added = await api.put(`/me/watchlist/${movieId}`, undefined, { token: viewer.accessToken });
      const again = await api.put(`/me/watchlist/${movieId}`, undefined, { token: viewer.accessToken });
      expect([added.status, again.status]).to.deep.equal([200, 200]);
      expect(again.body.position).to.equal(added.body.position);
      await api.delete(`/me/watchlist/${movieId}`, { token: viewer.accessToken });
      await api.delete(`/me/watchlist/${movieId}`, { token: viewer.accessToken });
      expect((await eventsOf(viewer.userId, movieId)).map((event) => event.type)).to.deep.equal([
        'AddedToWatchlist',
        'RemovedFromWatchlist',
      ]);
    });

    it('answers 404 for an unknown movie', async () => {
      expect(
        (await api.put('/me/watchlist/6b1d6a3e-3f5e-4a8e-9a53-2f4f5e6d7c8b', undefined, { token: viewer.accessToken })).status,
      ).to.equal(404);
    });
  });

  describe("another user's data", () => {
    it('cannot be touched: each user acts on their own ratings only', async () => {
      const other = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      await api.put(`/movies/${movieId}/rating`, { score: 5 }, { token: other.accessToken });
      await api.delete(`/movies/${movieId}/rating`, { token: viewer.accessToken });
      expect((await eventsOf(other.userId, movieId)).map((event) => event.type)).to.deep.equal(['MovieRated']);
    });
  });
});
