import { Agent } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import pg from 'pg';
import { client, type Client } from '../../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';
import { computeTrendingNow } from '../../support/trendingSnapshot.ts';
import { hostileRequests, type HostileRequest, type Known } from './hostileGenerators.ts';
import { rawRequest, type RawReply } from './rawRequest.ts';

// Issue 16: no request, however hostile, gets a 5xx, and a refused command appends nothing. Every
// route the routers hold is driven with generated paths, queries, headers, bodies and methods, with
// and without valid tokens, against one running service. Runners go side by side, each a fast-check
// property over one request, so a failure shrinks to the one smallest request that shows it.
//
// Replay a run with FC_SEED=<seed printed below>; FC_REQUESTS sets how many requests (10,000).
// LOG_LEVEL=error prints the service's stack of a 500 beside the failing request.

const requests = Number(process.env.FC_REQUESTS ?? 10_000);
const runners = 8;
const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

/**
 * A 5xx is a failure, with one exception decided here: 503 with Retry-After to a read that carried
 * X-Min-Position. That is the answer DESIGN.md promises when the read models have not reached the
 * position within the wait (the generators ask for a far-future one now and then), not a fault.
 */
const acceptable = (request: HostileRequest, reply: RawReply): boolean =>
  reply.status < 500 || (reply.status === 503 && reply.headers['retry-after'] !== undefined && 'X-Min-Position' in request.headers);

/**
 * The one refusal that appends by design: a refresh token used a second time is answered 401 and its
 * session revoked (RFC 9700 §4.14.2: reuse means the token was stolen), which is an event.
 */
const designedAppend = (type: string, route: string | undefined): boolean => route === 'POST /auth/refresh' && type === 'SessionRevoked';

const describeRequest = (request: HostileRequest, reply: RawReply | undefined, id: string): string =>
  JSON.stringify({
    id,
    route: request.route,
    method: request.method,
    path: request.path.length > 300 ? `${request.path.slice(0, 300)}…` : request.path,
    headers: request.headers,
    body: typeof request.body === 'string' ? request.body.slice(0, 300) : request.body === undefined ? undefined : '(gzip)',
    status: reply?.status,
    answer: reply?.text.slice(0, 300),
  });

describe('hostile requests to every route', function () {
  // 10,000 take 10–20 s on two idle cores; a busy machine (or FC_REQUESTS) may need more.
  this.timeout(Math.max(180_000, requests * 20));
  let running: TestService;
  let api: Client;
  let events: pg.Pool;
  let known: Known;
  const agent = new Agent({ keepAlive: true, maxSockets: runners });

  before(async () => {
    running = await startTestService({ ...adminEnvironment, READ_YOUR_WRITES_TIMEOUT: '1' });
    api = client(running.base);
    events = new pg.Pool({ connectionString: running.database.url.href, max: 2 });
    known = await seedKnown(api);
    // Trending answers 503 until its first snapshot (the scheduler's run at start): made here at once.
    await computeTrendingNow(running);
  });
  after(async () => {
    agent.destroy();
    await events.end();
    await running.stop();
  });

  it('takes its routes from the routers themselves', () => {
    const routes = running.service.routes.map((route) => `${route.method} ${route.path}`);
    expect(routes).to.include.members(['GET /healthz', 'POST /auth/login', 'PUT /movies/:id/rating', 'GET /movies/:idOrSlug']);
    expect(routes.length).to.be.above(25);
  });

  it(`answers ${requests.toLocaleString('en-US')} of them without a 5xx, appending nothing for any refused`, async () => {
    console.log(`      hostile requests: seed ${seed} (replay with FC_SEED=${seed}), ${runners} runners side by side`);
    const arbitrary = hostileRequests(running.service.routes, known);
    // Refused requests by id: their events are looked for once at the end (a query per request cost
    // the run 40 % of its time), by the correlation id every event's metadata takes from the request id.
    const refused = new Map<string, { readonly route: string; readonly described: string }>();
    const runner = (index: number) => {
      let counter = 0;
      return fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          const id = `hostile-${index}-${counter++}`;
          const reply = await rawRequest(running.base, { ...request, headers: { ...request.headers, 'X-Request-Id': id } }, agent).catch(
            (error: unknown) => {
              throw new Error(`no answer (${String(error)}) to ${describeRequest(request, undefined, id)}`);
            },
          );
          if (!acceptable(request, reply)) throw new Error(`5xx: ${describeRequest(request, reply, id)}`);
          if (reply.status >= 400) refused.set(id, { route: request.route, described: describeRequest(request, reply, id) });
        }),
        { seed: seed + index, numRuns: Math.ceil(requests / runners), endOnFailure: process.env.FC_NO_SHRINK !== undefined },
      );
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: runners }, (_, index) => runner(index)));
    console.log(`      ${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ${refused.size} refused`);
    const appended = await events.query<{ id: string; type: string }>(
      `SELECT metadata->>'correlationId' AS id, type FROM events WHERE metadata->>'correlationId' = ANY($1)`,
      [[...refused.keys()]],
    );
    const unexpected = appended.rows.filter((row) => !designedAppend(row.type, refused.get(row.id)?.route));
    expect(unexpected.map((row) => `${row.type} by ${refused.get(row.id)?.described ?? row.id}`)).to.deep.equal([]);
  });
});

/** A user, the admin, movies with ratings, and the cursors of a few lists: what valid requests name. */
const seedKnown = async (api: Client): Promise<Known> => {
  const admin = await signInAsAdmin(api);
  const viewer = await signUp(api);
  const movies = [];
  for (const title of ['Alpha Hostile', 'Beta Hostile', 'Gamma Hostile']) movies.push(await addMovie(api, admin.accessToken, { title }));
  let position = '0';
  for (const movie of movies) {
    position = String((await api.put(`/movies/${movie.movieId}/rating`, { score: 4 }, { token: viewer.accessToken })).body.position);
    await api.put(`/me/watchlist/${movie.movieId}`, undefined, { token: viewer.accessToken });
  }
  const me = await api.get('/me', { token: admin.accessToken });
  const consistent = { token: viewer.accessToken, headers: { 'X-Min-Position': position } };
  const cursors: string[] = [];
  for (const list of [
    '/movies?limit=1',
    '/movies?limit=1&q=hostile',
    '/movies?limit=1&sort=rating',
    '/movies?limit=1&sort=year',
    '/movies?limit=1&sort=title',
    '/me/ratings?limit=1',
    '/me/watchlist?limit=1',
    '/movies/trending?limit=1',
  ]) {
    const cursor = (await api.get(list, consistent)).body.nextCursor;
    if (typeof cursor === 'string') cursors.push(cursor);
  }
  expect(cursors.length, 'cursors to tamper with').to.be.above(3);
  return {
    userToken: viewer.accessToken,
    adminToken: admin.accessToken,
    refreshToken: viewer.refreshToken,
    password: viewer.password,
    movieIds: movies.map((movie) => movie.movieId),
    slugs: movies.map((movie) => movie.slug),
    userIds: [viewer.userId, String(me.body.id ?? me.body.userId)],
    cursors,
    head: position,
  };
};
