import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, uniqueEmail, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

describe('write guarantees over HTTP', function () {
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

  const viewingEvents = async (movieId: string) => running.service.eventStore.readStream(`viewing-${viewer.userId}_${movieId}` as never);

  describe('positions', () => {
    it('answers every command with the position of its last event, in the body and X-Event-Position', async () => {
      const { movieId } = await addMovie(api, admin);
      const reply = await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      const [event] = await viewingEvents(movieId);
      expect(reply.body.position).to.equal(event?.position.toString());
      expect(reply.headers.get('x-event-position')).to.equal(event?.position.toString());
      expect(reply.headers.get('etag')).to.equal('"0"');
    });
  });

  describe('If-Match', () => {
    it('applies the command when the revision is current, and answers 412 when it is stale', async () => {
      const { movieId } = await addMovie(api, admin);
      const first = await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken });
      const current = await api.put(
        `/movies/${movieId}/rating`,
        { score: 3 },
        { token: viewer.accessToken, headers: { 'If-Match': String(first.headers.get('etag')) } },
      );
      expect(current.status).to.equal(200);
      const stale = await api.put(`/movies/${movieId}/rating`, { score: 2 }, { token: viewer.accessToken, headers: { 'If-Match': '"0"' } });
      expect(stale.status).to.equal(412);
      expect(stale.body.detail).to.match(/revision 1/);
      expect(await viewingEvents(movieId)).to.have.length(2);
    });

    it('refuses an If-Match that is no revision with 400', async () => {
      const { movieId } = await addMovie(api, admin);
      expect(
        (await api.put(`/movies/${movieId}/rating`, { score: 2 }, { token: viewer.accessToken, headers: { 'If-Match': 'yesterday' } }))
          .status,
      ).to.equal(400);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a repeated request with the first answer and appends nothing more', async () => {
      const { movieId } = await addMovie(api, admin);
      const headers = { 'Idempotency-Key': randomUUID() };
      const first = await api.post(`/movies/${movieId}/watched`, {}, { token: viewer.accessToken, headers });
      const again = await api.post(`/movies/${movieId}/watched`, {}, { token: viewer.accessToken, headers });
      expect(again.status).to.equal(first.status);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.headers.get('x-event-position')).to.equal(first.headers.get('x-event-position'));
      expect(await viewingEvents(movieId)).to.have.length(1);
    });

    it('works for registration too: one account, one answer', async () => {
      const headers = { 'Idempotency-Key': randomUUID() };
      const body = { email: uniqueEmail(), password: 'a long password', displayName: 'Once' };
      const first = await api.post('/auth/register', body, { headers });
      const again = await api.post('/auth/register', body, { headers });
      expect([first.status, again.status]).to.deep.equal([201, 201]);
      expect(again.body).to.deep.equal(first.body);
    });

    it('refuses the same key with a different request with 422', async () => {
      const { movieId } = await addMovie(api, admin);
      const headers = { 'Idempotency-Key': randomUUID() };
      await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken, headers });
      const reply = await api.put(`/movies/${movieId}/rating`, { score: 1 }, { token: viewer.accessToken, headers });
      expect(reply.status).to.equal(422);
    });

    it('keys per user: another user with the same key gets their own answer', async () => {
      const { movieId } = await addMovie(api, admin);
      const other = await signUp(api);
      const headers = { 'Idempotency-Key': 'shared-key-1' };
      await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken, headers });
      const theirs = await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: other.accessToken, headers });
      expect(theirs.status).to.equal(200);
      expect(theirs.headers.get('idempotent-replayed')).to.equal(null);
    });

    it('refuses a malformed key with 400', async () => {
      const { movieId } = await addMovie(api, admin);
      expect(
        (
          await api.put(
            `/movies/${movieId}/rating`,
            { score: 4 },
            { token: viewer.accessToken, headers: { 'Idempotency-Key': 'x'.repeat(300) } },
          )
        ).status,
      ).to.equal(400);
    });
  });

  describe('bodies', () => {
    it('refuses a body over 1 MB with 413, appending nothing', async () => {
      const reply = await api.post('/movies', { title: 'Big', year: 2000, genres: [], overview: 'x'.repeat(1_100_000) }, { token: admin });
      expect(reply.status).to.equal(413);
    });

    it('refuses an overview over 5,000 characters with 400', async () => {
      const reply = await api.post('/movies', { title: 'Long', year: 2000, genres: [], overview: 'x'.repeat(5_001) }, { token: admin });
      expect(reply.status).to.equal(400);
    });
  });
});
