import { expect } from 'chai';
import { io } from 'socket.io-client';
import { client, type Client } from '../../support/http.ts';
import { capturedLogText } from '../../support/logCapture.ts';
import { mailedResetToken } from '../../support/mailbox.ts';
import { uniqueEmail } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';
import { connectFeed, refusal } from '../../reactors/support/feedClient.ts';

// Logs hold no secrets (README: Limits, headers and client addresses). Every way a secret reaches
// the service is run against a service logging everything (trace) as it logs in production (JSON
// lines, through its serializer); then the log is searched for every secret that was used, right and
// wrong ones alike. None may be found.

/** What must never be written: passwords whole, tokens by their secret part (a session's id before the dot is not secret). */
const secretPart = (token: string): string => /^[0-9a-f-]{36}\.(.+)$/i.exec(token)?.[1] ?? token;

describe('the log of every auth flow', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let logText: () => string;
  const secrets = new Map<string, string>();
  const keep = (what: string, value: unknown): string => {
    expect(value, what).to.be.a('string').with.length.above(8);
    const text = String(value);
    secrets.set(what, secretPart(text));
    return text;
  };

  before(async () => {
    const captured = capturedLogText('trace');
    logText = captured.text;
    running = await startTestService({ LOG_LEVEL: 'trace' }, undefined, captured.log);
    api = client(running.base);
  });
  after(async () => {
    await running?.stop();
  });

  it('writes none of the passwords and tokens it was given or gave', async () => {
    const email = uniqueEmail();
    const password = keep('registration password', 'first password of the account');
    expect((await api.post('/auth/register', { email, password, displayName: 'Secret Keeper' })).status).to.equal(201);

    // Login in both forms, and a wrong password.
    const wrong = keep('wrong password', 'a wrong password guessed');
    expect((await api.post('/auth/login', { email, password: wrong })).status).to.equal(401);
    const login = await api.post('/auth/login', { email, password });
    expect(login.status).to.equal(200);
    const access = keep('access token (JSON login)', login.body.accessToken);
    const refresh = keep('refresh token (JSON login)', login.body.refreshToken);
    const form = await api.post('/auth/login', undefined, { form: { grant_type: 'password', username: email, password } });
    expect(form.status).to.equal(200);
    keep('access token (form login)', form.body.access_token);
    const formRefresh = keep('refresh token (form login)', form.body.refresh_token);

    // A token in the header, and in query strings (which the API does not read, and refuses as unknown
    // parameters where a route checks its query, but a client may send).
    expect((await api.get('/me', { token: access })).status).to.equal(200);
    expect((await api.get(`/me?access_token=${access}`)).status).to.equal(401);
    expect((await api.get(`/movies?token=${access}&q=heat`)).status).to.equal(400);
    expect((await api.get(`/docs?refresh_token=${encodeURIComponent(refresh)}&password=${encodeURIComponent(password)}`)).status).to.equal(
      200,
    );
    expect((await api.get('/me', { token: `${access}tampered` })).status).to.equal(401);

    // Refresh, then reuse of the spent token (which revokes the session).
    const refreshed = await api.post('/auth/refresh', { refreshToken: refresh });
    expect(refreshed.status).to.equal(200);
    const accessAfterRefresh = keep('access token (refresh)', refreshed.body.accessToken);
    const refreshAfterRefresh = keep('refresh token (refresh)', refreshed.body.refreshToken);
    expect((await api.post('/auth/refresh', { refreshToken: refresh })).status).to.equal(401);

    // The live feed's handshake: a good token, a bad one, and one in the URL.
    const second = await api.post('/auth/login', { email, password });
    const socketToken = keep('access token (socket)', second.body.accessToken);
    const feed = await connectFeed(running.base, { token: socketToken });
    feed.close();
    expect(await refusal(running.base, { token: `${socketToken}x` })).to.match(/./);
    const inUrl = io(running.base, { transports: ['websocket'], query: { token: socketToken }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => inUrl.once('connect_error', () => resolve()).once('connect', () => resolve()));
    inUrl.close();

    // Logout, password change, reset request and confirmation (a wrong token first).
    expect((await api.post('/auth/logout', { refreshToken: formRefresh })).status).to.be.oneOf([200, 204]);
    const third = await api.post('/auth/login', { email, password });
    const changeToken = keep('access token (before the change)', third.body.accessToken);
    const changed = keep('changed password', 'second password of the account');
    expect((await api.put('/me/password', { currentPassword: password, newPassword: changed }, { token: changeToken })).status).to.equal(
      200,
    );
    expect((await api.post('/auth/password-reset', { email })).status).to.equal(202);
    const resetToken = keep('reset token', await mailedResetToken(running.dataDir, email));
    const guessed = keep('guessed reset token', `${resetToken.split('.')[0] ?? ''}.${'A'.repeat(43)}`);
    const afterReset = keep('password after the reset', 'third password of the account');
    expect((await api.post('/auth/password-reset/confirm', { token: guessed, newPassword: afterReset })).status).to.be.oneOf([400, 401]);
    expect((await api.post('/auth/password-reset/confirm', { token: resetToken, newPassword: afterReset })).status).to.equal(200);
    expect((await api.post('/auth/login', { email, password: afterReset })).status).to.equal(200);
    void accessAfterRefresh;
    void refreshAfterRefresh;

    // The service's log went on for a while: wait for the reactors' lines (the welcome mail) too.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const text = logText();
    // It did log these flows (a silent log would pass for the wrong reason).
    for (const route of ['/auth/register', '/auth/login', '/auth/refresh', '/auth/logout', '/me/password', '/auth/password-reset/confirm'])
      expect(text, route).to.contain(`"route":"${route}"`);
    // As sent, and as a URL or a form encodes it.
    const spellings = (secret: string): string[] => [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ];
    const found = [...secrets].filter(([, secret]) => spellings(secret).some((spelling) => text.includes(spelling))).map(([what]) => what);
    expect(found, `secrets found in the log: ${found.join(', ')}`).to.deep.equal([]);
    expect(text).to.contain('access_token=[redacted]');
  });
});
