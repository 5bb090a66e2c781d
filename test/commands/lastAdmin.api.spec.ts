import { expect } from 'chai';
import { runCli } from '../support/cliProcess.ts';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, logIn, register, signInAsAdmin, uniqueEmail } from '../support/scenario.ts';
import { startTestService, testJwtSecret, type TestService } from '../support/testService.ts';

// Issue 18, item 4: the last admin cannot be demoted (409), not even by two admins demoting each
// other at once; and `users create-admin --promote` recovers an installation that has no admin.

interface Admin {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  token: string;
}

const role = (api: Client, token: string, userId: string, newRole: 'user' | 'admin', headers: Record<string, string> = {}) =>
  api.put(`/admin/users/${userId}/role`, { role: newRole }, { token, headers });

describe('the last admin', function () {
  this.timeout(120_000);
  let running: TestService;
  let api: Client;
  let first: Admin;

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    const token = (await signInAsAdmin(api)).accessToken;
    const me = await api.get('/me', { token });
    first = { userId: String(me.body.userId), email: '', password: '', token };
  });
  after(async () => {
    await running.stop();
  });

  /** A new account, made admin by `by`, signed in again so that its token says so. */
  const promoted = async (by: Admin): Promise<Admin> => {
    const account = await register(api);
    expect((await role(api, by.token, account.userId, 'admin')).status).to.equal(200);
    return { ...account, token: (await logIn(api, account.email, account.password)).accessToken };
  };
  /** A fresh token (the bootstrap admin has no e-mail of its own here). */
  const signIn = async (admin: Admin): Promise<string> =>
    admin.email === '' ? (await signInAsAdmin(api)).accessToken : (await logIn(api, admin.email, admin.password)).accessToken;
  const isAdmin = async (admin: Admin): Promise<boolean> => (await api.get('/me', { token: await signIn(admin) })).body.role === 'admin';

  it('refuses the only admin’s demotion of itself with 409 problem+json, and it stays admin', async () => {
    const reply = await role(api, first.token, first.userId, 'user');
    expect(reply.status).to.equal(409);
    expect(reply.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(String(reply.body.detail)).to.match(/last admin/);
    expect(await isAdmin(first)).to.equal(true);
    await addMovie(api, first.token);
  });

  it('lets one of two admins demote the other, then refuses the one left', async () => {
    const second = await promoted(first);
    expect((await role(api, second.token, first.userId, 'user')).status).to.equal(200);
    expect(await isAdmin(first)).to.equal(false);
    expect((await role(api, second.token, second.userId, 'user')).status).to.equal(409);
    expect(await isAdmin(second)).to.equal(true);
    first = second;
  });

  it('answers a demotion with a stale If-Match 412 without counting that admin out', async () => {
    const other = await promoted(first);
    expect((await role(api, first.token, other.userId, 'user', { 'If-Match': '"0"' })).status).to.equal(412);
    // Were `other` counted out by the refused demotion, `first` would now be the last admin: 409.
    expect((await role(api, other.token, first.userId, 'user')).status).to.equal(200);
    first = other;
  });

  it('lets only one of two admins demoting each other at once succeed, leaving one admin', async () => {
    for (let round = 0; round < 3; round++) {
      const other = await promoted(first);
      const replies = await Promise.all([role(api, first.token, other.userId, 'user'), role(api, other.token, first.userId, 'user')]);
      const statuses = replies.map((reply) => reply.status);
      // The loser is refused as the last admin (409) or, when the winner was quicker still, as no
      // longer an admin at all (403).
      expect(
        statuses.filter((status) => status === 200),
        JSON.stringify(statuses),
      ).to.have.length(1);
      expect(
        statuses.filter((status) => status === 409 || status === 403),
        JSON.stringify(statuses),
      ).to.have.length(1);
      const admins = [(await isAdmin(first)) ? first : undefined, (await isAdmin(other)) ? other : undefined].filter(
        (admin) => admin !== undefined,
      );
      expect(admins).to.have.length(1);
      first = admins[0] ?? first;
      first.token = await signIn(first);
    }
  });

  it('still answers 404 for an unknown user and a no-op for a user who is no admin', async () => {
    expect((await role(api, first.token, '00000000-0000-4000-8000-000000000000', 'user')).status).to.equal(404);
    const plain = await register(api);
    expect((await role(api, first.token, plain.userId, 'user')).status).to.equal(200);
  });
});

describe('users create-admin --promote', function () {
  this.timeout(120_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    // No admin at all: the installation to recover.
    running = await startTestService();
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  const cli = (args: string[]) =>
    runCli(['users', 'create-admin', ...args], {
      DATABASE_URL: running.database.url.href,
      JWT_SECRET: testJwtSecret,
      PASSWORD_HASH_COST: '10',
      LOG_LEVEL: 'warn',
    });

  it('makes an existing account an admin, who can then administer the service', async () => {
    const account = await register(api);
    const run = cli(['--email', account.email, '--promote']);
    expect(await run.exited, run.stderr()).to.equal(0);
    expect(run.stdout()).to.match(/Promoted the existing account to admin/);
    const token = (await logIn(api, account.email, account.password)).accessToken;
    expect((await api.get('/me', { token })).body.role).to.equal('admin');
    await addMovie(api, token);
    // Promoted through the roster too: it is the last admin, and cannot demote itself.
    expect((await role(api, token, account.userId, 'user')).status).to.equal(409);

    const again = cli(['--email', account.email, '--promote']);
    expect(await again.exited).to.equal(0);
    expect(again.stdout()).to.match(/exists already/);
  });

  it('without --promote leaves the account as it is, and says how to promote it', async () => {
    const account = await register(api);
    const run = cli(['--email', account.email, '--password', 'admin password 1']);
    expect(await run.exited).to.equal(0);
    expect(run.stdout()).to.match(/without the admin role; it was left as it is \(to make it an admin, run this again with --promote\)/);
    const token = (await logIn(api, account.email, account.password)).accessToken;
    expect((await api.get('/me', { token })).body.role).to.equal('user');
  });

  it('refuses to create an account without a password, exiting 1', async () => {
    const run = cli(['--email', uniqueEmail(), '--promote']);
    expect(await run.exited).to.equal(1);
    expect(run.stderr()).to.match(/give --password to create the admin/);
  });

  it('creates the admin when nobody has the address, --promote or not', async () => {
    const email = uniqueEmail();
    const run = cli(['--email', email, '--password', 'admin password 1', '--promote']);
    expect(await run.exited, run.stderr()).to.equal(0);
    expect(run.stdout()).to.match(/Created the admin account/);
    const token = (await logIn(api, email, 'admin password 1')).accessToken;
    expect((await api.get('/me', { token })).body.role).to.equal('admin');
  });
});
