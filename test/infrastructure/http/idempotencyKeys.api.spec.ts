import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { sweepIdempotencyKeys } from '../../../src/infrastructure/http/idempotencySweep.ts';
import { client, type Client } from '../../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, uniqueEmail, type SignedIn } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';

// Idempotency-Keys (issue 18, item 3): they expire, are swept, belong to one caller (a user, or an
// anonymous client address), and new ones count against a limit. The clock is the test's: moving it
// a day on expires keys (access tokens are made to last longer than that, so callers stay signed in).

const dayAndASecond = 86_401;

describe('Idempotency-Keys', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let pool: pg.Pool;

  before(async () => {
    running = await startTestService({
      ...adminEnvironment,
      TRUST_PROXY: '1',
      ACCESS_TOKEN_TTL: '30d',
      RATE_LIMIT_IDEMPOTENCY_KEYS: '3/1m',
    });
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    pool = new pg.Pool({ connectionString: running.service.databaseUrl.href, max: 2 });
  });
  after(async () => {
    await pool.end();
    await running.stop();
  });

  const watched = (viewer: SignedIn, movieId: string, key: string) =>
    api.post(`/movies/${movieId}/watched`, {}, { token: viewer.accessToken, headers: { 'Idempotency-Key': key } });
  const viewingEvents = async (viewer: SignedIn, movieId: string) =>
    running.service.eventStore.readStream(`viewing-${viewer.userId}_${movieId}` as never);
  const keysOf = async (caller: string): Promise<string[]> =>
    (await pool.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE scope LIKE $1 ORDER BY key', [`${caller} %`])).rows.map(
      (row) => row.key,
    );

  describe('when a key has expired', () => {
    it('runs the command again, as for a new key, with new events', async () => {
      const viewer = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      const key = randomUUID();
      const first = await watched(viewer, movieId, key);
      const replay = await watched(viewer, movieId, key);
      expect([first.status, replay.status]).to.deep.equal([200, 200]);
      expect(replay.headers.get('idempotent-replayed')).to.equal('true');

      running.clock.advance(dayAndASecond);
      const again = await watched(viewer, movieId, key);
      expect(again.status, JSON.stringify(again.body)).to.equal(200);
      expect(again.headers.get('idempotent-replayed')).to.equal(null);
      expect(again.body.position).to.not.equal(first.body.position);
      expect(await viewingEvents(viewer, movieId)).to.have.length(2);
      // And the key lives again: its new answer is replayed.
      const replayOfNew = await watched(viewer, movieId, key);
      expect(replayOfNew.headers.get('idempotent-replayed')).to.equal('true');
      expect(replayOfNew.body.position).to.equal(again.body.position);
    });

    it('takes a different request under the old key without 422', async () => {
      const viewer = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      const headers = { 'Idempotency-Key': randomUUID() };
      await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token: viewer.accessToken, headers });
      expect((await api.put(`/movies/${movieId}/rating`, { score: 1 }, { token: viewer.accessToken, headers })).status).to.equal(422);
      running.clock.advance(dayAndASecond);
      expect((await api.put(`/movies/${movieId}/rating`, { score: 1 }, { token: viewer.accessToken, headers })).status).to.equal(200);
    });

    it('still replays a key just short of the TTL', async () => {
      const viewer = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      const key = randomUUID();
      await watched(viewer, movieId, key);
      running.clock.advance(86_400 - 60);
      expect((await watched(viewer, movieId, key)).headers.get('idempotent-replayed')).to.equal('true');
      expect(await viewingEvents(viewer, movieId)).to.have.length(1);
    });
  });

  describe('when the first request failed', () => {
    it('lets its retry under the same key run afresh', async () => {
      const viewer = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      const headers = { 'Idempotency-Key': randomUUID() };
      const bad = await api.put(`/movies/${movieId}/rating`, { score: 11 }, { token: viewer.accessToken, headers });
      expect(bad.status).to.equal(400);
      const good = await api.put(`/movies/${movieId}/rating`, { score: 3 }, { token: viewer.accessToken, headers });
      expect(good.status, JSON.stringify(good.body)).to.equal(200);
      expect(good.headers.get('idempotent-replayed')).to.equal(null);
      expect(
        (await api.put(`/movies/${movieId}/rating`, { score: 3 }, { token: viewer.accessToken, headers })).headers.get(
          'idempotent-replayed',
        ),
      ).to.equal('true');
    });
  });

  describe('the sweep', () => {
    it('deletes the expired keys and only those', async () => {
      const viewer = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      await watched(viewer, movieId, 'old-key');
      running.clock.advance(12 * 3_600);
      await watched(viewer, movieId, 'young-key');
      running.clock.advance(12 * 3_600 + 1);
      const expiredBefore = new Date(running.clock.now().getTime() - 86_400_000);
      const live = 'SELECT count(*)::int AS n FROM idempotency_keys WHERE created_at > $1';
      const liveBefore = (await pool.query<{ n: number }>(live, [expiredBefore])).rows[0]?.n;

      const deleted = await sweepIdempotencyKeys(pool, expiredBefore);

      expect(deleted).to.be.at.least(1);
      expect(await keysOf(`user:${viewer.userId}`)).to.deep.equal(['young-key']);
      expect((await pool.query<{ n: number }>(live, [expiredBefore])).rows[0]?.n).to.equal(liveBefore);
      expect((await pool.query('SELECT 1 FROM idempotency_keys WHERE created_at <= $1', [expiredBefore])).rowCount).to.equal(0);
    });
  });

  describe('scopes', () => {
    // Addresses of the benchmarking range, new each run: the limiter's counts live on in Redis between runs.
    const address = (): string => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
    const from = (address: string, key: string) => ({ headers: { 'X-Forwarded-For': address, 'Idempotency-Key': key } });
    const registration = () => ({ email: uniqueEmail(), password: 'a long password', displayName: 'Anon' });

    it('keeps two anonymous client addresses apart under one key', async () => {
      const key = randomUUID();
      const [one, two, three] = [address(), address(), address()];
      const mine = registration();
      const first = await api.post('/auth/register', mine, from(one, key));
      const theirs = await api.post('/auth/register', registration(), from(two, key));
      expect([first.status, theirs.status]).to.deep.equal([201, 201]);
      expect(theirs.headers.get('idempotent-replayed')).to.equal(null);
      expect(theirs.body.userId).to.not.equal(first.body.userId);
      // The same body from the other address is not answered with the first's answer either: it runs,
      // and the address is taken.
      const copy = await api.post('/auth/register', mine, from(three, key));
      expect(copy.status).to.equal(409);
      expect(copy.body).to.not.have.property('userId');
      // From the first address, the key still answers with its own first answer.
      const replay = await api.post('/auth/register', mine, from(one, key));
      expect(replay.headers.get('idempotent-replayed')).to.equal('true');
      expect(replay.body).to.deep.equal(first.body);
    });

    it('lets no user squat another user’s key: the second user’s request runs and appends their own event', async () => {
      const squatter = await signUp(api);
      const victim = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      const headers = { 'Idempotency-Key': 'guessable-key-1' };
      const squatted = await api.put(`/movies/${movieId}/rating`, { score: 1 }, { token: squatter.accessToken, headers });
      const own = await api.put(`/movies/${movieId}/rating`, { score: 5 }, { token: victim.accessToken, headers });
      expect([squatted.status, own.status]).to.deep.equal([200, 200]);
      expect(own.headers.get('idempotent-replayed')).to.equal(null);
      expect(own.body.position).to.not.equal(squatted.body.position);
      const events = await viewingEvents(victim, movieId);
      expect(events.map((event) => event.data.score)).to.deep.equal([5]);
    });
  });

  describe('the limit on new keys', () => {
    it('answers the caller’s key past the limit 429 with Retry-After, storing and running nothing', async () => {
      const viewer = await signUp(api);
      const { movieId } = await addMovie(api, admin);
      for (const key of ['k1', 'k2', 'k3']) expect((await watched(viewer, movieId, key)).status).to.equal(200);

      const refused = await watched(viewer, movieId, 'k4');
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
      expect(await viewingEvents(viewer, movieId)).to.have.length(3);
      expect(await keysOf(`user:${viewer.userId}`)).to.deep.equal(['k1', 'k2', 'k3']);

      // A key already stored is no new key: its replay is answered; another caller has their own count.
      expect((await watched(viewer, movieId, 'k1')).headers.get('idempotent-replayed')).to.equal('true');
      expect((await watched(await signUp(api), movieId, 'k4')).status).to.equal(200);
      const metrics = await api.get<string>('/metrics');
      expect(metrics.body).to.match(/fastflix_rate_limit_rejections_total\{limit="idempotency_keys"\} [1-9]/);
    });
  });
});
