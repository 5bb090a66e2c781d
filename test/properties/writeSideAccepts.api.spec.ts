import { expect } from 'chai';
import fc from 'fast-check';
import pg from 'pg';
import { projectionStatuses } from '../../src/projections/runtime/status.ts';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';
import * as arb from './arbitraries.ts';

// Issue 16: what the write side accepts, every read model applies. Command bodies are generated from
// the codecs' edges and sent over HTTP; whatever is accepted is appended, and every projection must
// then apply all of it: not one event parked. The seed is printed; FC_SEED=<seed> replays a run.

const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = Number(process.env.FC_RUNS ?? 400);

interface Sent {
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly path: string;
  readonly body: unknown;
  readonly as: 'admin' | 'viewer' | 'anonymous';
}

describe(`what the write side accepts, every read model applies (fast-check seed ${seed}, FC_SEED to replay)`, function () {
  this.timeout(180_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let viewer: SignedIn;
  let pool: pg.Pool;
  const movies: string[] = [];

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    pool = new pg.Pool({ connectionString: running.database.url.href, max: 2 });
    admin = (await signInAsAdmin(api)).accessToken;
    viewer = await signUp(api);
    for (let index = 0; index < 3; index++) movies.push((await addMovie(api, admin)).movieId);
  });
  after(async () => {
    await pool.end();
    await running.stop();
  });

  const now = new Date();
  const movie = fc.nat({ max: 2 }).map((index) => movies[index] ?? '');
  const movieBody = {
    title: arb.text({ min: 1, max: 300 }),
    year: arb.year,
    genres: arb.genreNames,
    overview: arb.text({ max: 5_000 }),
    runtime: arb.runtime,
    externalIds: arb.externalIds,
  };
  const command: fc.Arbitrary<Sent> = fc.oneof(
    fc
      .record({ email: arb.email, password: arb.text({ min: 8, max: 256 }), displayName: arb.text({ min: 1, max: 80 }) })
      .map((body) => ({ method: 'POST', path: '/auth/register', body, as: 'anonymous' }) as const),
    fc
      .record({ ...movieBody, slug: arb.slug }, { requiredKeys: ['title', 'year', 'genres', 'overview'] })
      .map((body) => ({ method: 'POST', path: '/movies', body, as: 'admin' }) as const),
    fc
      .tuple(movie, fc.record(movieBody, { requiredKeys: [] }))
      .map(([id, body]) => ({ method: 'PATCH', path: `/movies/${id}`, body, as: 'admin' }) as const),
    fc
      .tuple(movie, arb.score)
      .map(([id, score]) => ({ method: 'PUT', path: `/movies/${id}/rating`, body: { score }, as: 'viewer' }) as const),
    fc
      .tuple(movie, arb.watchedAt(now))
      .map(([id, watchedAt]) => ({ method: 'POST', path: `/movies/${id}/watched`, body: { watchedAt }, as: 'viewer' }) as const),
    movie.map((id) => ({ method: 'PUT', path: `/me/watchlist/${id}`, body: undefined, as: 'viewer' }) as const),
  );

  it(`sends ${runs} generated commands: none answers 5xx, and no projection parks any event they appended`, async () => {
    const accepted: { readonly sent: Sent; readonly position: string }[] = [];
    await fc.assert(
      fc.asyncProperty(command, async (sent) => {
        const token = sent.as === 'admin' ? admin : sent.as === 'viewer' ? viewer.accessToken : undefined;
        const call = sent.method === 'POST' ? api.post : sent.method === 'PUT' ? api.put : api.patch;
        const reply = await call(sent.path, sent.body, { token });
        expect(reply.status, JSON.stringify(reply.body)).to.be.below(500);
        if (reply.status < 300 && typeof reply.body.position === 'string') accepted.push({ sent, position: reply.body.position });
      }),
      { seed, numRuns: runs },
    );
    expect(accepted.length, 'some generated commands must be accepted, or the property says nothing').to.be.above(runs / 10);

    const head = (await running.service.eventStore.headPosition()) ?? 0n;
    const statuses = () => projectionStatuses(pool, running.service.eventStore);
    await waitFor(
      async () => (await statuses()).every((status) => status.status === 'stopped' || BigInt(status.position) >= head),
      60_000,
    ).catch(async () => expect.fail(`the projections did not reach ${head} (seed ${seed}): ${JSON.stringify(await statuses())}`));
    const { rows: parked } = await pool.query<{ projection: string; position: string; error: string }>(
      'SELECT projection, position::text, error FROM projection_dead_letters ORDER BY position',
    );
    const culprits = parked.map((row) => ({
      ...row,
      request: accepted.find((entry) => BigInt(entry.position) >= BigInt(row.position))?.sent,
    }));
    expect(culprits, `events parked (seed ${seed}): ${JSON.stringify(culprits)}`).to.deep.equal([]);
  });
});
