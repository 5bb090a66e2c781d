import { expect } from 'chai';
import pg from 'pg';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

// The audit routes over HTTP, against the whole service: admins only; a stream and an actor's
// events paged as every list is; a state as of a point; a verification summary that turns once the
// log is tampered with.

interface EventItem {
  readonly streamId: string;
  readonly revision: string;
  readonly position: string;
  readonly type: string;
  readonly actorId: string | null;
}
interface Page {
  readonly items: EventItem[];
  readonly nextCursor: string | null;
}

describe('the audit routes', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let viewer: SignedIn;
  let movieIds: string[];

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    viewer = await signUp(api);
    movieIds = [];
    for (const title of ['Audit One', 'Audit Two', 'Audit Three']) movieIds.push((await addMovie(api, admin, { title })).movieId);
    for (const [index, movieId] of movieIds.entries()) {
      expect((await api.put(`/movies/${movieId}/rating`, { score: 2 + index }, { token: viewer.accessToken })).status).to.equal(200);
    }
    expect((await api.put(`/movies/${movieIds[0]}/rating`, { score: 5 }, { token: viewer.accessToken })).status).to.equal(200);
  });
  after(() => running.stop());

  const get = <Body>(path: string, token = admin) => api.get<Body>(path, { token });

  it('answers admins only', async () => {
    expect((await api.get(`/admin/audit/verify`)).status).to.equal(401);
    expect((await get(`/admin/audit/verify`, viewer.accessToken)).status).to.equal(403);
    expect((await get(`/admin/audit/actors/${viewer.userId}`, viewer.accessToken)).status).to.equal(403);
  });

  it("pages a stream's events and an actor's events as every list is paged", async () => {
    const stream = `viewing-${viewer.userId}_${movieIds[0]}`;
    const first = await get<Page>(`/admin/audit/streams/${stream}?limit=1`);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.items.map((item) => [item.revision, item.type, item.actorId])).to.deep.equal([['0', 'MovieRated', viewer.userId]]);
    const second = await get<Page>(`/admin/audit/streams/${stream}?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).to.deep.include({ nextCursor: null });
    expect(second.body.items.map((item) => item.revision)).to.deep.equal(['1']);

    const actor: EventItem[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page: { status: number; body: Page } = await get<Page>(
        `/admin/audit/actors/${viewer.userId}?limit=2${cursor === '' ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      actor.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    // The registration (account and e-mail reservation), the login's session, four ratings.
    expect(actor.filter((item) => item.type === 'MovieRated')).to.have.length(4);
    expect(actor.every((item) => item.actorId === viewer.userId)).to.equal(true);
    const positions = actor.map((item) => BigInt(item.position));
    expect(positions).to.deep.equal([...positions].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('folds a state as of a point', async () => {
    const stream = `viewing-${viewer.userId}_${movieIds[0]}`;
    const events = (await get<Page>(`/admin/audit/streams/${stream}`)).body.items;
    const first = await get<{ state: { score: number } }>(`/admin/audit/streams/${stream}/state?at=${events[0]?.position}`);
    expect(first.status).to.equal(200);
    expect(first.body).to.deep.include({ revision: '0', eventsFolded: 1, eventsAfter: 1 });
    expect(first.body.state).to.include({ score: 2 });
    expect(
      (await get<{ state: { score: number } }>(`/admin/audit/streams/${stream}/state?at=${events[1]?.position}`)).body.state,
    ).to.include({ score: 5 });
  });

  it('answers 404 for what the log does not know and 400 for what is no id, point or cursor', async () => {
    expect((await get('/admin/audit/streams/movie-00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    expect((await get('/admin/audit/actors/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    expect((await get('/admin/audit/streams/%20nope')).status).to.equal(400);
    expect((await get(`/admin/audit/streams/user-${viewer.userId}/state`)).status).to.equal(400);
    expect((await get(`/admin/audit/streams/user-${viewer.userId}/state?at=tomorrow`)).status).to.equal(400);
    expect((await get(`/admin/audit/actors/${viewer.userId}?cursor=bad`)).status).to.equal(400);
    expect((await get(`/admin/audit/actors/${viewer.userId}?from=99999999999999999999`)).status).to.equal(400);
    expect((await get('/admin/audit/actors/a%00b')).status).to.equal(400);
    expect((await get('/admin/audit/verify?stream=a%00b')).status).to.equal(400);
  });

  it('sums up a verification, which turns once an event is changed behind the store', async () => {
    const intact = await get<{ intact: boolean; events: number; breakCount: number }>('/admin/audit/verify');
    expect(intact.status).to.equal(200);
    expect(intact.body).to.include({ intact: true, breakCount: 0 });
    expect(intact.body.events).to.be.above(10);
    const tamperer = new pg.Client({ connectionString: running.database.url.href });
    await tamperer.connect();
    const stream = `viewing-${viewer.userId}_${movieIds[1]}`;
    const flip = (from: number, to: number) =>
      tamperer.query(`UPDATE events SET data = replace(data::text, '"score":${from}', '"score":${to}')::json WHERE stream_id = $1`, [
        stream,
      ]);
    try {
      await tamperer.query("SET session_replication_role = 'replica'");
      await flip(3, 1);
      const broken = await get<{ intact: boolean; breaks: { streamId: string; revision: string; kind: string }[] }>('/admin/audit/verify');
      expect(broken.body).to.include({ intact: false, breakCount: 1 });
      expect(broken.body.breaks[0]).to.include({ streamId: stream, revision: '0', kind: 'content' });
    } finally {
      await flip(1, 3);
      await tamperer.end();
    }
    expect((await get<{ intact: boolean }>(`/admin/audit/verify?stream=${stream}`)).body).to.include({ intact: true });
  });
});
