import { expect } from 'chai';
import { client, type Client } from '../../support/http.ts';
import { capturingLogger } from '../../support/logCapture.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';
import { computeTrendingNow } from '../../support/trendingSnapshot.ts';
import { waitFor } from '../../support/waitFor.ts';

// What the lines of a running service say, read from its log: a request line names the route's
// template and the signed-in user; a projector's batch line the correlation ids (request ids) of the
// events it applied, so that one request can be followed into its read models.

describe('the log of a running service', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  const captured = capturingLogger();
  const records = captured.records;

  before(async () => {
    running = await startTestService(adminEnvironment, undefined, captured.log);
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  const requestLine = (requestId: string): Record<string, unknown> | undefined =>
    records.find((record) => record.msg === 'request' && record.req_id === requestId);

  it('names the route template and the user on the line of a signed-in request', async () => {
    const admin = await signInAsAdmin(api);
    const movie = await addMovie(api, admin.accessToken);
    const viewer = await signUp(api);
    const reply = await api.put(
      `/movies/${movie.movieId}/rating`,
      { score: 4 },
      {
        token: viewer.accessToken,
        headers: { 'X-Request-Id': 'log-spec-rating' },
      },
    );
    expect(reply.status).to.equal(200);
    await waitFor(() => requestLine('log-spec-rating') !== undefined);
    expect(requestLine('log-spec-rating')).to.deep.include({
      method: 'PUT',
      url: `/movies/${movie.movieId}/rating`,
      route: '/movies/:id/rating',
      userId: viewer.userId,
      status: 200,
    });
  });

  it('names the route of a prefixed router (audit) and of a request a guard refused, without a user', async () => {
    const admin = await signInAsAdmin(api);
    await api.get('/admin/audit/verify', { token: admin.accessToken, headers: { 'X-Request-Id': 'log-spec-audit' } });
    await api.get('/admin/audit/verify', { headers: { 'X-Request-Id': 'log-spec-refused' } });
    await waitFor(() => requestLine('log-spec-audit') !== undefined && requestLine('log-spec-refused') !== undefined);
    expect(requestLine('log-spec-audit')).to.deep.include({ route: '/admin/audit/verify', status: 200 });
    expect(requestLine('log-spec-audit')?.userId).to.be.a('string');
    expect(requestLine('log-spec-refused')).to.deep.include({ route: '/admin/audit/verify', status: 401 });
    expect(requestLine('log-spec-refused')).not.to.have.property('userId');
  });

  it('leaves out route and user where there are none: a public route, an unknown path', async () => {
    await api.get('/movies?limit=1', { headers: { 'X-Request-Id': 'log-spec-public' } });
    await api.get('/no/such/path', { headers: { 'X-Request-Id': 'log-spec-unknown' } });
    await waitFor(() => requestLine('log-spec-public') !== undefined && requestLine('log-spec-unknown') !== undefined);
    expect(requestLine('log-spec-public')).to.deep.include({ route: '/movies', url: '/movies?limit=1', status: 200 });
    expect(requestLine('log-spec-public')).not.to.have.property('userId');
    // A fixed path registered before `/movies/:idOrSlug`, which matches it too, is the one named.
    // Ranked now rather than by the scheduler's run at start, which may not have published yet (503).
    await computeTrendingNow(running);
    await api.get('/movies/trending', { headers: { 'X-Request-Id': 'log-spec-trending' } });
    await waitFor(() => requestLine('log-spec-trending') !== undefined);
    expect(requestLine('log-spec-trending')).to.deep.include({ route: '/movies/trending', status: 200 });
    expect(requestLine('log-spec-unknown')).to.deep.include({ url: '/no/such/path', status: 404 });
    expect(requestLine('log-spec-unknown')).not.to.have.property('route');
  });

  it("carries the request's id on the projector's line of the batch that applied its events", async () => {
    const admin = await signInAsAdmin(api);
    const movie = await addMovie(api, admin.accessToken);
    const viewer = await signUp(api);
    const reply = await api.post(`/movies/${movie.movieId}/watched`, undefined, {
      token: viewer.accessToken,
      headers: { 'X-Request-Id': 'log-spec-watched' },
    });
    expect(reply.status).to.equal(200);
    const batchLine = () =>
      records.find(
        (record) =>
          record.msg === 'batch applied' && Array.isArray(record.correlationIds) && record.correlationIds.includes('log-spec-watched'),
      );
    await waitFor(() => batchLine() !== undefined, 20_000);
    expect(batchLine()).to.have.property('projection').that.is.a('string');
    expect(batchLine()?.position).to.match(/^\d+$/);
  });
});
