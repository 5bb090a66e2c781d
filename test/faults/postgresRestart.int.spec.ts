import bunyan from 'bunyan';
import { expect } from 'chai';
import pg from 'pg';
import { connectFeed, type FeedClient } from '../reactors/support/feedClient.ts';
import { client, type Client } from '../support/http.ts';
import { privatePostgresMissing, startPrivatePostgres, type PrivatePostgres } from './support/privatePostgres.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';
import { startLoad, tally, type Answer } from './support/load.ts';

// Issue 20, faults: PostgreSQL restarted in the middle of a mix of commands and reads. The service runs
// on a PostgreSQL cluster of this spec's own (the shared one serves everyone else), stopped at once
// (`pg_ctl -m immediate`: every connection cut, as a crash or a failover cuts them), held down a few
// seconds and started again, while eight connections keep sending.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const downForMs = 3_000;
const recoveryMs = 5_000;
const requestTimeoutMs = 10_000;

/**
 * From the database's return: a rating tried every 100 ms until one is taken, then its read model
 * asked (X-Min-Position) until it has applied it. Both times in ms after `upAt`.
 */
const recovery = async (api: Client, token: string, movieId: string, upAt: number): Promise<{ commandMs: number; readModelMs: number }> => {
  const deadline = upAt + 30_000;
  let position: string | undefined;
  while (position === undefined && Date.now() < deadline) {
    const reply = await api.put(`/movies/${movieId}/rating`, { score: 4 }, { token });
    if (reply.status === 200) position = String(reply.body.position);
    else await sleep(100);
  }
  const commandMs = Date.now() - upAt;
  while (Date.now() < deadline) {
    const reply = await api.get('/me/ratings', { token, headers: { 'X-Min-Position': position ?? '0' } });
    if (reply.status === 200) break;
    await sleep(100);
  }
  return { commandMs, readModelMs: Date.now() - upAt };
};

const missing = privatePostgresMissing();
// On CI the binaries and the postgres user are there: a missing one fails there rather than skipping.
const skip = missing !== undefined && process.env.CI !== 'true';
(skip ? describe.skip : describe)(
  skip ? `When PostgreSQL restarts under load (skipped: ${missing ?? ''})` : 'When PostgreSQL restarts under load',
  function () {
    this.timeout(120_000);
    let cluster: PrivatePostgres;
    let service: TestService;
    let api: Client;
    let adminToken: string;
    let viewers: SignedIn[];
    let movieIds: string[];
    let feed: FeedClient;
    let answers: Answer[];
    let downAt: number;
    let upAt: number;
    let recovered: { commandMs: number; readModelMs: number };
    // Warnings and worse, as the service logs them: an outage is not an error of ours.
    const logged: { level: number; msg: string; err?: { message?: string; stack?: string } }[] = [];
    const log = bunyan.createLogger({
      name: 'fastflix-faults',
      streams: [
        { type: 'raw', level: 'warn', stream: { write: (record: unknown) => void logged.push(record as (typeof logged)[number]) } },
      ],
    });

    before(async () => {
      cluster = await startPrivatePostgres();
      service = await startTestService(
        { DATABASE_URL: cluster.url.href, ...adminEnvironment },
        { url: cluster.url, drop: () => Promise.resolve() },
        log,
      );
      api = client(service.base);
      adminToken = (await signInAsAdmin(api)).accessToken;
      movieIds = [];
      for (let index = 0; index < 20; index += 1)
        movieIds.push((await addMovie(api, adminToken, { title: `Fault Night ${index}` })).movieId);
      viewers = await Promise.all(Array.from({ length: 6 }, () => signUp(api)));
      const prober = await signUp(api);
      const probeMovie = (await addMovie(api, adminToken, { title: 'Fault Probe' })).movieId;
      feed = await connectFeed(service.base, { token: viewers[0]?.accessToken });

      const load = startLoad({ base: service.base, viewers, movieIds, connections: 8, requestTimeoutMs });
      await sleep(3_000);
      downAt = Date.now();
      await cluster.stop();
      await sleep(downForMs);
      await cluster.start();
      upAt = Date.now();
      recovered = await recovery(api, prober.accessToken, probeMovie, upAt);
      await sleep(Math.max(0, upAt + recoveryMs + 3_000 - Date.now()));
      await load.stop();
      answers = load.answers;
    });

    after(async () => {
      feed?.close();
      await service?.stop();
      await cluster?.remove();
    });

    const describeAnswers = (some: readonly Answer[]): string =>
      `${JSON.stringify(tally(answers))}; e.g. ${JSON.stringify(some.slice(0, 3).map(({ kind, status, detail }) => ({ kind, status, detail })))}`;

    it('answers every request within its bound, with 2xx or 503 and Retry-After', () => {
      const wrong = answers.filter((answer) => !(answer.status >= 200 && answer.status < 300) && answer.status !== 503);
      expect(wrong.length, describeAnswers(wrong)).to.equal(0);
      const bare = answers.filter((answer) => answer.status === 503 && answer.retryAfter === null);
      expect(bare.length, describeAnswers(bare)).to.equal(0);
    });

    it('logs the outage as warnings, not errors', () => {
      const errors = logged.filter((record) => record.level >= bunyan.ERROR);
      // The message names each error's cause: a CI run saw the scheduler thread fail and nothing more.
      expect(
        errors.map((record) => record.msg),
        JSON.stringify(errors.map((record) => ({ msg: record.msg, err: record.err?.stack ?? record.err?.message }))),
      ).to.deep.equal([]);
      expect(logged.some((record) => record.msg === 'request refused')).to.equal(true);
    });

    it('was refused with 503 while the database was down, and served before and after', () => {
      const during = answers.filter((answer) => answer.sentAt >= downAt && answer.sentAt < upAt);
      expect(
        during.some((answer) => answer.status === 503),
        describeAnswers(during),
      ).to.equal(true);
      expect(answers.some((answer) => answer.command && answer.sentAt < downAt && answer.status < 300)).to.equal(true);
    });

    it(`takes a command and shows it in its read model within ${recoveryMs / 1000} s of the database's return`, () => {
      // FAULTS_REPORT=1 prints what was seen, for the notes and the README.
      if (process.env.FAULTS_REPORT !== undefined) console.log({ recovered, answers: tally(answers) });
      expect(recovered.commandMs, 'a command served').to.be.at.most(recoveryMs);
      expect(recovered.readModelMs, 'its read model caught up').to.be.at.most(recoveryMs);
    });

    it(`serves every request sent from ${recoveryMs / 1000} s after the database is back`, () => {
      const late = answers.filter((answer) => answer.sentAt >= upAt + recoveryMs);
      const refused = late.filter((answer) => answer.status >= 300);
      expect(refused.length, describeAnswers(refused)).to.equal(0);
      expect(late.filter((answer) => answer.command).length).to.be.greaterThan(10);
      const firstServed = answers.find((answer) => answer.command && answer.sentAt >= upAt && answer.status < 300);
      expect(firstServed, 'no command served after the restart').not.to.equal(undefined);
    });

    it('keeps every acknowledged command: its events in the log and in its read model', async () => {
      const acknowledged = answers.filter((answer) => answer.command && answer.status >= 200 && answer.status < 300);
      const positions = acknowledged.map((answer) => answer.position);
      expect(positions).not.to.include(undefined);
      const database = new pg.Client({ connectionString: cluster.url.href });
      await database.connect();
      try {
        const logged = await database.query<{ position: string }>('SELECT position::text FROM events WHERE position = ANY($1::bigint[])', [
          positions,
        ]);
        expect(new Set(logged.rows.map((row) => row.position)).size, 'acknowledged positions in the log').to.equal(new Set(positions).size);

        const rated = acknowledged.filter((answer) => answer.kind === 'rate');
        const listed = acknowledged.filter((answer) => answer.kind === 'watchlist');
        const watched = acknowledged.filter((answer) => answer.kind === 'watched');
        expect([rated.length, listed.length, watched.length].every((count) => count > 0)).to.equal(true);
        const missingFromReadModels = async (): Promise<string[]> => {
          const ratings = await database.query<{ key: string }>(
            "SELECT user_id || '|' || movie_id || '|' || score::float8 AS key FROM rm_ratings.user_ratings",
          );
          const entries = await database.query<{ key: string }>(
            "SELECT user_id || '|' || movie_id AS key FROM rm_watchlists.watchlist_entries",
          );
          const history = await database.query<{ key: string }>('SELECT position::text AS key FROM rm_history.watch_history');
          const have = new Set([...ratings.rows, ...entries.rows, ...history.rows].map((row) => row.key));
          return [
            ...rated.map((answer) => `${answer.userId ?? ''}|${answer.movieId ?? ''}|${answer.score ?? ''}`),
            ...listed.map((answer) => `${answer.userId ?? ''}|${answer.movieId ?? ''}`),
            ...watched.map((answer) => answer.position ?? ''),
          ].filter((key) => !have.has(key));
        };
        await waitFor(async () => (await missingFromReadModels()).length === 0, 15_000).catch(async () => {
          throw new Error(`missing from the read models: ${JSON.stringify((await missingFromReadModels()).slice(0, 10))}`);
        });
      } finally {
        await database.end();
      }
    });

    it('delivers to a socket opened before the restart', async () => {
      const { movieId } = await addMovie(api, adminToken, { title: 'After The Fault' });
      await feed.waitFor('movie.added', (payload) => JSON.stringify(payload).includes(movieId), 10_000);
    });

    it('still learns of ended sessions', async () => {
      const viewer = viewers[1];
      if (viewer === undefined) throw new Error('no viewer');
      expect((await api.get('/me', { token: viewer.accessToken })).status).to.equal(200);
      expect((await api.post('/auth/logout', { refreshToken: viewer.refreshToken }, { token: viewer.accessToken })).status).to.be.within(
        200,
        299,
      );
      await waitFor(async () => (await api.get('/me', { token: viewer.accessToken })).status === 401, 10_000);
    });
  },
);
