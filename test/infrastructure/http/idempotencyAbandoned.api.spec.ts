import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { canonicalJson } from '../../../src/infrastructure/eventStore/envelope.ts';
import { client, type Client } from '../../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';

// A request whose Idempotency-Key claim was never answered nor removed (its process died, or the
// database went away before the clean-up) leaves the key pending. A retry with the key must work once
// the claim is older than any request runs; a younger claim is still a request in flight (409).

describe('an Idempotency-Key left pending', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let viewer: SignedIn;
  let movieId: string;
  let database: pg.Client;

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    movieId = (await addMovie(api, (await signInAsAdmin(api)).accessToken)).movieId;
    viewer = await signUp(api);
    database = new pg.Client({ connectionString: running.database.url.href });
    await database.connect();
  });
  after(async () => {
    await database.end();
    await running.stop();
  });

  const claim = async (key: string, body: unknown, age: string): Promise<void> => {
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest('base64url');
    await database.query(`INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ($1, $2, $3, now() - $4::interval)`, [
      `user:${viewer.userId} PUT /movies/${movieId}/rating`,
      key,
      requestHash,
      age,
    ]);
  };

  it('is taken over by a retry once the claim is older than any request runs', async () => {
    const key = randomUUID();
    await claim(key, { score: 4 }, '1 minute');
    const reply = await api.put(
      `/movies/${movieId}/rating`,
      { score: 4 },
      { token: viewer.accessToken, headers: { 'Idempotency-Key': key } },
    );
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    const again = await api.put(
      `/movies/${movieId}/rating`,
      { score: 4 },
      { token: viewer.accessToken, headers: { 'Idempotency-Key': key } },
    );
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('answers 409 while the claim is young: its request may still be running', async () => {
    const key = randomUUID();
    await claim(key, { score: 3 }, '1 second');
    const reply = await api.put(
      `/movies/${movieId}/rating`,
      { score: 3 },
      { token: viewer.accessToken, headers: { 'Idempotency-Key': key } },
    );
    expect(reply.status).to.equal(409);
  });

  it('is not taken over with a different body', async () => {
    const key = randomUUID();
    await claim(key, { score: 2 }, '1 minute');
    const reply = await api.put(
      `/movies/${movieId}/rating`,
      { score: 5 },
      { token: viewer.accessToken, headers: { 'Idempotency-Key': key } },
    );
    expect(reply.status).to.equal(422);
  });
});
