import { expect } from 'chai';
import { client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

// The processes of DESIGN.md apart, as docker-compose runs them: FASTFLIX_ROLES=api in one process,
// FASTFLIX_ROLES=projector in another, sharing only the database.

describe('processes split by FASTFLIX_ROLES', function () {
  this.timeout(60_000);
  let apiOnly: TestService | undefined;
  let projectorOnly: TestService | undefined;
  after(async () => {
    await projectorOnly?.stop();
    await apiOnly?.stop();
  });

  it('answers commands in the api process, projects them in the projector process, and serves reads that wait for it', async () => {
    apiOnly = await startTestService({ ...adminEnvironment, FASTFLIX_ROLES: 'api', READ_YOUR_WRITES_TIMEOUT: '1' });
    const api = client(apiOnly.base);
    const admin = (await signInAsAdmin(api)).accessToken;
    const { movieId, position } = await addMovie(api, admin, { title: 'Split Processes' });

    // No projector runs anywhere yet: a read that must see the movie is refused, not answered stale.
    const early = await api.get(`/movies/${movieId}`, { headers: { 'X-Min-Position': position } });
    expect(early.status).to.equal(503);
    expect(early.headers.get('retry-after')).to.match(/^\d+$/);

    projectorOnly = await startTestService({ FASTFLIX_ROLES: 'projector' }, apiOnly.database);
    const seen = await api.get(`/movies/${movieId}`, { headers: { 'X-Min-Position': position } });
    expect(seen.status).to.equal(200);
    expect(seen.body).to.deep.include({ id: movieId, title: 'Split Processes' });

    // The projector process serves operations only: health, readiness, its metrics; no commands or queries.
    const projector = client(projectorOnly.base);
    expect((await projector.get('/healthz')).status).to.equal(200);
    expect((await projector.get(`/movies/${movieId}`)).status).to.equal(404);
    expect((await projector.post('/auth/login', { email: 'x@y.z', password: 'p' })).status).to.equal(404);
    const metricsOf = async (base: string): Promise<string> => (await fetch(`${base}/metrics`)).text();
    expect(await metricsOf(projectorOnly.base)).to.match(/^fastflix_projection_events_applied_total\{projection="catalogue"\} 1$/m);
    // …and the api process has no projector's metrics of its own.
    expect(await metricsOf(apiOnly.base)).to.not.match(/fastflix_projection_lag_events/);
  });
});
