import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { runCli } from '../support/cliProcess.ts';
import { client, type Client } from '../support/http.ts';
import { capturedLogText } from '../support/logCapture.ts';
import { adminEnvironment, logIn, signInAsAdmin } from '../support/scenario.ts';
import { startTestService, testJwtSecret, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';

// Issue 19 item 4 (erasure by crypto-shredding) and issue 18 item 4 (forgetting the last admin is
// 409). Real HTTP, real PostgreSQL, every role (the scheduler's jobs table is in the database searched).
// Small pools: the service, a rebuild of every projection and an export at once otherwise come near
// the server's 100 connections, and other specs may be running beside this one.

interface Person {
  readonly email: string;
  readonly displayName: string;
  readonly password: string;
  readonly userId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

describe('forgetting a user', function () {
  this.timeout(180_000);
  let running: TestService;
  let api: Client;
  let pool: pg.Pool;
  let adminToken: string;
  const logs = capturedLogText('trace');

  before(async () => {
    running = await startTestService({ ...adminEnvironment, DATABASE_POOL_SIZE: '4' }, undefined, logs.log);
    api = client(running.base);
    pool = new pg.Pool({ connectionString: running.database.url.href, max: 2 });
    adminToken = (await signInAsAdmin(api)).accessToken;
  });
  after(async () => {
    await pool.end();
    await running.stop();
  });

  /** Someone with an address and a name found nowhere else, signed in and welcomed. */
  const person = async (): Promise<Person> => {
    const tag = randomUUID().slice(0, 8);
    const email = `Erasable.${tag}@Example.test`;
    const displayName = `Zelda Quux ${tag}`;
    const password = 'correct horse battery';
    const registered = await api.post('/auth/register', { email, password, displayName });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    return { email, displayName, password, userId: String(registered.body.userId), ...(await logIn(api, email, password)) };
  };

  /** Every row of every table of the database (log, keys, read models, their rebuilt copies), as text. */
  const databaseText = async (): Promise<string> => {
    const tables = await pool.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const texts = await Promise.all(
      tables.rows.map(async ({ name }) =>
        (await pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows.map((r) => r.row),
      ),
    );
    return texts.flat().join('\n').toLowerCase();
  };

  const expectNowhere = (text: string, who: Person, where: string): void => {
    for (const value of [who.email, who.displayName, who.email.toLowerCase()]) {
      expect(text.toLowerCase().includes(value.toLowerCase()), `${where} holds ${value}`).to.equal(false);
    }
  };

  const welcomed = async (who: Person): Promise<void> =>
    waitFor(async () => {
      const inbox = await api.get<{ items: unknown[] }>('/me/notifications', { token: who.accessToken });
      return inbox.status === 200 && inbox.body.items.length > 0;
    });

  describe('DELETE /me', () => {
    let forgotten: Person;

    before(async () => {
      forgotten = await person();
      await welcomed(forgotten);
      // Sealed from the start: neither the log nor the welcome in clear? The welcome has the name until forgotten.
      expect(await databaseText()).not.to.include(forgotten.email.toLowerCase());
    });

    it('needs the password: 400 without it, 403 when wrong', async () => {
      const missing = await api.deleteWith('/me', {}, { token: forgotten.accessToken });
      expect(missing.status).to.equal(400);
      expect(missing.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(JSON.stringify(missing.body)).to.contain('password');
      const wrong = await api.deleteWith('/me', { password: 'not the password' }, { token: forgotten.accessToken });
      expect(wrong.status).to.equal(403);
      expect((await api.get('/me', { token: forgotten.accessToken })).status).to.equal(200);
    });

    it('forgets the account: 200, then its token answers 401, it cannot sign in or refresh', async () => {
      const reply = await api.deleteWith('/me', { password: forgotten.password }, { token: forgotten.accessToken });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      expect(reply.body.forgotten).to.equal(true);
      await waitFor(async () => (await api.get('/me', { token: forgotten.accessToken })).status === 401);
      expect((await api.post('/auth/login', { email: forgotten.email, password: forgotten.password })).status).to.equal(401);
      expect((await api.post('/auth/refresh', { refreshToken: forgotten.refreshToken })).status).to.equal(401);
    });

    it('answers a second forgetting with a no-op that says so', async () => {
      const again = await api.delete(`/admin/users/${forgotten.userId}`, { token: adminToken });
      expect(again.status, JSON.stringify(again.body)).to.equal(200);
      expect(again.body.forgotten).to.equal(false);
      expect(String(again.body.detail)).to.match(/forgotten already/);
    });

    it('lets the address be registered again, as a new account', async () => {
      const reply = await api.post('/auth/register', {
        email: forgotten.email.toUpperCase(),
        password: 'another long password',
        displayName: 'Someone New',
      });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
      expect(reply.body.userId).not.to.equal(forgotten.userId);
      await logIn(api, forgotten.email, 'another long password');
    });

    it('keeps every chain intact and shows the personal fields redacted in the audit stream', async () => {
      const verify = await api.get('/admin/audit/verify', { token: adminToken });
      expect(verify.status).to.equal(200);
      expect(verify.body.intact).to.equal(true);
      const stream = await api.get(`/admin/audit/streams/user-${forgotten.userId}`, { token: adminToken });
      expect(stream.status).to.equal(200);
      expectNowhere(JSON.stringify(stream.body), forgotten, 'the audit stream');
      expect(JSON.stringify(stream.body)).to.contain('[forgotten]');
    });

    it('leaves the e-mail and display name nowhere in the database, in the export or the logs, and a rebuild does not bring them back', async () => {
      await waitFor(async () => !(await databaseText()).includes(forgotten.displayName.toLowerCase()));
      expectNowhere(await databaseText(), forgotten, 'the database');
      const env = {
        DATABASE_URL: running.database.url.href,
        JWT_SECRET: testJwtSecret,
        LOG_LEVEL: 'warn',
        FASTFLIX_DATA_DIR: running.dataDir,
        DATABASE_POOL_SIZE: '4',
      };
      const exported = runCli(['audit', 'export'], env);
      expect(await exported.exited, exported.stderr()).to.equal(0);
      expect(exported.stdout().length).to.be.greaterThan(0);
      expectNowhere(exported.stdout(), forgotten, 'the export');
      const rebuild = runCli(['projections', 'rebuild', '--all'], env);
      expect(await rebuild.exited, rebuild.stderr()).to.equal(0);
      expectNowhere(await databaseText(), forgotten, 'the database after a rebuild');
      expectNowhere(logs.text(), forgotten, 'the logs');
    });
  });

  it('gives a released address to exactly one of 10 parallel registrations', async () => {
    const gone = await person();
    expect((await api.delete(`/admin/users/${gone.userId}`, { token: adminToken })).status).to.equal(200);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        api.post('/auth/register', { email: gone.email, password: `another long password ${index}`, displayName: 'Someone New' }),
      ),
    );
    expect(replies.map((reply) => reply.status).sort()).to.deep.equal([201, ...Array.from({ length: 9 }, () => 409)]);
  });

  describe('DELETE /admin/users/:id', () => {
    it('answers 404 for an unknown id and 403 to a non-admin', async () => {
      expect((await api.delete(`/admin/users/${randomUUID()}`, { token: adminToken })).status).to.equal(404);
      const someone = await person();
      const other = await person();
      expect((await api.delete(`/admin/users/${other.userId}`, { token: someone.accessToken })).status).to.equal(403);
      const done = await api.delete(`/admin/users/${other.userId}`, { token: adminToken });
      expect(done.status).to.equal(200);
      expect(done.body.forgotten).to.equal(true);
      await waitFor(async () => (await api.get('/me', { token: other.accessToken })).status === 401);
    });

    it('refuses to forget the last admin with 409, by either route, and forgets an admin who is not the last', async () => {
      const me = await api.get('/me', { token: adminToken });
      const adminId = String(me.body.userId);
      const byRoute = await api.delete(`/admin/users/${adminId}`, { token: adminToken });
      expect(byRoute.status).to.equal(409);
      expect(byRoute.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(String(byRoute.body.detail)).to.match(/last admin/);
      const bySelf = await api.deleteWith('/me', { password: adminEnvironment.FASTFLIX_ADMIN_PASSWORD }, { token: adminToken });
      expect(bySelf.status).to.equal(409);
      expect((await api.get('/me', { token: adminToken })).status).to.equal(200);

      const second = await person();
      expect((await api.put(`/admin/users/${second.userId}/role`, { role: 'admin' }, { token: adminToken })).status).to.equal(200);
      const secondToken = (await logIn(api, second.email, second.password)).accessToken;
      expect((await api.deleteWith('/me', { password: second.password }, { token: secondToken })).status).to.equal(200);
      // The one left is the last again.
      expect((await api.delete(`/admin/users/${adminId}`, { token: adminToken })).status).to.equal(409);
    });
  });
});
