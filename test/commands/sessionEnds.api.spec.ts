import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { mailedResetToken } from '../support/mailbox.ts';
import { logIn, register } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';

// Issue 18: sessions end when they should. Logout, a revoked refresh token, a password change (every
// other session) and a reset (every session) end them for their access tokens too, on every API
// process within a second, and a session's whole life is bounded however often it is refreshed.

describe('sessions that end when they should', function () {
  this.timeout(90_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    running = await startTestService({ SESSION_LIFETIME: '1h' });
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  const status = async (accessToken: string): Promise<number> => (await api.get('/me', { token: accessToken })).status;
  /** The token is refused within a second. */
  const refusedSoon = async (accessToken: string): Promise<void> => waitFor(async () => (await status(accessToken)) === 401, 1_000);
  const refresh = async (refreshToken: string) => api.post('/auth/refresh', { refreshToken });

  it('refuses the access token of a session that logged out, and only of that one', async () => {
    const account = await register(api);
    const leaving = await logIn(api, account.email, account.password);
    const staying = await logIn(api, account.email, account.password);
    expect((await api.post('/auth/logout', { refreshToken: leaving.refreshToken })).status).to.be.below(300);
    await refusedSoon(leaving.accessToken);
    expect((await api.get('/me', { token: leaving.accessToken })).body.detail).to.match(/session of this token has ended/);
    expect(await status(staying.accessToken)).to.equal(200);
  });

  it('ends every other session when the password changes, keeping the one that changed it', async () => {
    const account = await register(api);
    const changing = await logIn(api, account.email, account.password);
    const other = await logIn(api, account.email, account.password);
    const changed = await api.put(
      '/me/password',
      { currentPassword: account.password, newPassword: 'a brand new password' },
      { token: changing.accessToken },
    );
    expect(changed.status).to.equal(200);
    await refusedSoon(other.accessToken);
    expect((await refresh(other.refreshToken)).status).to.equal(401);
    expect(await status(changing.accessToken)).to.equal(200);
    const renewed = await refresh(changing.refreshToken);
    expect(renewed.status).to.equal(200);
    expect(await status(String(renewed.body.accessToken))).to.equal(200);
    const again = await logIn(api, account.email, 'a brand new password');
    expect(await status(again.accessToken)).to.equal(200);
  });

  it('ends every session when the password is reset', async () => {
    const account = await register(api);
    const first = await logIn(api, account.email, account.password);
    const second = await logIn(api, account.email, account.password);
    await api.post('/auth/password-reset', { email: account.email });
    const token = await mailedResetToken(running.dataDir, account.email);
    expect((await api.post('/auth/password-reset/confirm', { token, newPassword: 'reset to this one' })).status).to.be.below(300);
    for (const session of [first, second]) {
      await refusedSoon(session.accessToken);
      expect((await refresh(session.refreshToken)).status).to.equal(401);
    }
    const afterwards = await logIn(api, account.email, 'reset to this one');
    expect(await status(afterwards.accessToken)).to.equal(200);
  });

  it('checks a reset token before it spends a password hash on it', async () => {
    const hashes = async (): Promise<number> =>
      Number(/^fastflix_password_hashes_total\{operation="hash"\} (\d+)$/m.exec((await api.get<string>('/metrics')).body)?.[1] ?? 0);
    const account = await register(api);
    await api.post('/auth/password-reset', { email: account.email });
    const token = await mailedResetToken(running.dataDir, account.email);
    const before = await hashes();
    const [userPart] = token.split('.');
    for (const guess of [`${userPart}.${'A'.repeat(43)}`, `${crypto.randomUUID()}.${'B'.repeat(43)}`]) {
      expect((await api.post('/auth/password-reset/confirm', { token: guess, newPassword: 'a guessed reset' })).status).to.equal(400);
    }
    expect(await hashes()).to.equal(before);
    expect((await api.post('/auth/password-reset/confirm', { token, newPassword: 'the real reset' })).status).to.be.below(300);
    expect(await hashes()).to.equal(before + 1);
  });

  it('refuses the access token of a session revoked for a reused refresh token', async () => {
    const account = await register(api);
    const session = await logIn(api, account.email, account.password);
    const rotated = await refresh(session.refreshToken);
    expect(rotated.status).to.equal(200);
    expect((await refresh(session.refreshToken)).status).to.equal(401);
    await refusedSoon(String(rotated.body.accessToken));
  });

  it('ends a session at its whole lifetime, however often it was refreshed (SESSION_LIFETIME=1h)', async () => {
    const account = await register(api);
    let refreshToken = (await logIn(api, account.email, account.password)).refreshToken;
    for (let minutes = 0; minutes < 50; minutes += 10) {
      running.clock.advance(10 * 60);
      const renewed = await refresh(refreshToken);
      expect(renewed.status, `after ${minutes + 10} minutes`).to.equal(200);
      refreshToken = String(renewed.body.refreshToken);
    }
    running.clock.advance(11 * 60);
    const late = await refresh(refreshToken);
    expect(late.status).to.equal(401);
    expect(late.body.detail).to.match(/expired/);
  });

  describe('the list of sessions', () => {
    const signIn = async (email: string, password: string) => {
      const reply = await api.post('/auth/login', { email, password });
      expect(reply.status).to.equal(200);
      return {
        accessToken: String(reply.body.accessToken),
        refreshToken: String(reply.body.refreshToken),
        position: String(reply.body.position),
      };
    };
    const listed = async (accessToken: string, position: string) => {
      const reply = await api.get('/me/sessions', { token: accessToken, headers: { 'X-Min-Position': position } });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      expect(reply.headers.get('cache-control')).to.equal('no-store');
      return reply.body.items as { id: string; current: boolean }[];
    };
    const sessionOf = (accessToken: string): string =>
      String((JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string }).sid);

    it('lists the live sessions, marks the current one, and ends another on request', async () => {
      const account = await register(api);
      const phone = await signIn(account.email, account.password);
      const laptop = await signIn(account.email, account.password);
      const sessions = await listed(laptop.accessToken, laptop.position);
      expect(sessions.map((session) => session.id).sort()).to.deep.equal(
        [sessionOf(phone.accessToken), sessionOf(laptop.accessToken)].sort(),
      );
      expect(sessions.find((session) => session.current)?.id).to.equal(sessionOf(laptop.accessToken));

      const ended = await api.delete(`/me/sessions/${sessionOf(phone.accessToken)}`, { token: laptop.accessToken });
      expect(ended.status).to.equal(200);
      await refusedSoon(phone.accessToken);
      expect((await refresh(phone.refreshToken)).status).to.equal(401);
      expect((await listed(laptop.accessToken, String(ended.body.position))).map((session) => session.id)).to.deep.equal([
        sessionOf(laptop.accessToken),
      ]);
    });

    it("answers 404 for another account's session, and leaves it alone", async () => {
      const owner = await register(api);
      const theirs = await signIn(owner.email, owner.password);
      const stranger = await register(api);
      const mine = await signIn(stranger.email, stranger.password);
      expect((await api.delete(`/me/sessions/${sessionOf(theirs.accessToken)}`, { token: mine.accessToken })).status).to.equal(404);
      expect((await api.delete('/me/sessions/not-a-session', { token: mine.accessToken })).status).to.equal(404);
      expect(await status(theirs.accessToken)).to.equal(200);
    });

    it('lists only the session that changed the password, afterwards', async () => {
      const account = await register(api);
      const other = await signIn(account.email, account.password);
      const changing = await signIn(account.email, account.password);
      const changed = await api.put(
        '/me/password',
        { currentPassword: account.password, newPassword: 'yet another password' },
        { token: changing.accessToken },
      );
      const sessions = await listed(changing.accessToken, String(changed.body.position));
      expect(sessions.map((session) => session.id)).to.deep.equal([sessionOf(changing.accessToken)]);
      expect(sessions.map((session) => session.id)).to.not.include(sessionOf(other.accessToken));
    });
  });

  it('says how many other sessions a password change or a reset ended, counting none twice', async () => {
    const account = await register(api);
    const [loggedOut, , , changing] = [
      await logIn(api, account.email, account.password),
      await logIn(api, account.email, account.password),
      await logIn(api, account.email, account.password),
      await logIn(api, account.email, account.password),
    ];
    expect((await api.post('/auth/logout', { refreshToken: loggedOut.refreshToken })).status).to.be.below(300);
    const change = async (from: string, to: string) =>
      api.put('/me/password', { currentPassword: from, newPassword: to }, { token: changing.accessToken });
    const first = await change(account.password, 'the second password');
    expect(first.status).to.equal(200);
    // Two live others (the logged-out one was over already); the session that changed it goes on.
    expect(first.body.sessionsEnded).to.equal(2);

    await logIn(api, account.email, 'the second password');
    const again = await change('the second password', 'the third password');
    // Only the login since: the sessions the first change ended are not ended twice.
    expect(again.body.sessionsEnded).to.equal(1);

    await logIn(api, account.email, 'the third password');
    await api.post('/auth/password-reset', { email: account.email });
    const token = await mailedResetToken(running.dataDir, account.email);
    const reset = await api.post('/auth/password-reset/confirm', { token, newPassword: 'reset after all that' });
    expect(reset.status).to.equal(200);
    // A reset keeps none: the session that changed the password twice and the newest login.
    expect(reset.body.sessionsEnded).to.equal(2);
  });

  it('still refuses a token of an ended session after a restart, on another process', async () => {
    const account = await register(api);
    const session = await logIn(api, account.email, account.password);
    await api.post('/auth/logout', { refreshToken: session.refreshToken });
    await refusedSoon(session.accessToken);
    const second = await startTestService({}, running.database);
    try {
      expect((await client(second.base).get('/me', { token: session.accessToken })).status).to.equal(401);
    } finally {
      await second.stop();
    }
  });
});
