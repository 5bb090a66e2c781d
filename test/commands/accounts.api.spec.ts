import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { mailedResetToken } from '../support/mailbox.ts';
import { logIn, register, signUp, uniqueEmail } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

describe('accounts over HTTP', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    running = await startTestService();
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  describe('POST /auth/register', () => {
    it('creates the account: 201 with the user id and the position of its events', async () => {
      const reply = await api.post('/auth/register', { email: uniqueEmail(), password: 'long enough password', displayName: 'Ada' });
      expect(reply.status).to.equal(201);
      expect(reply.body.userId).to.match(/^[0-9a-f-]{36}$/);
      expect(reply.body.position).to.match(/^\d+$/);
      expect(reply.headers.get('x-event-position')).to.equal(reply.body.position);
    });

    it('refuses an address taken in any letter case with 409, appending nothing', async () => {
      const email = uniqueEmail();
      await register(api, email);
      const reply = await api.post('/auth/register', { email: email.toUpperCase(), password: 'another password', displayName: 'Eve' });
      expect(reply.status).to.equal(409);
      expect(reply.body.detail).to.match(/e-mail/);
    });

    it('names every invalid field, unknown ones included, with 400', async () => {
      const reply = await api.post('/auth/register', { email: 'not-an-address', password: 'short', displayname: 'typo', isAdmin: true });
      expect(reply.status).to.equal(400);
      expect(reply.headers.get('content-type')).to.match(/application\/problem\+json/);
      const paths = (reply.body.errors as { path: string }[]).map((error) => error.path).sort();
      expect(paths).to.deep.equal(['displayName', 'displayname', 'email', 'isAdmin', 'password']);
    });

    it('refuses wrong types and malformed JSON with 400', async () => {
      expect((await api.post('/auth/register', { email: 42, password: ['x'], displayName: null })).status).to.equal(400);
      expect((await api.post('/auth/register', undefined, { raw: '{"email": "a@b.c",' })).status).to.equal(400);
      expect((await api.post('/auth/register', undefined, { raw: '["a"]' })).status).to.equal(400);
    });

    it('gives exactly one account to 20 parallel registrations of one address', async () => {
      const email = uniqueEmail();
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          api.post('/auth/register', {
            email: n % 2 === 0 ? email : email.toUpperCase(),
            password: `password number ${n}`,
            displayName: `User ${n}`,
          }),
        ),
      );
      expect(
        replies.filter((reply) => reply.status === 201),
        JSON.stringify(replies.filter((r) => r.status !== 409).map((r) => r.body)),
      ).to.have.length(1);
      expect(
        replies.filter((reply) => reply.status === 409),
        JSON.stringify(replies.filter((r) => r.status !== 409).map((r) => r.body)),
      ).to.have.length(19);
    });
  });

  describe('POST /auth/login', () => {
    it('answers tokens for the right password, as JSON', async () => {
      const account = await register(api);
      const reply = await api.post('/auth/login', { email: account.email, password: account.password });
      expect(reply.status).to.equal(200);
      expect(reply.body).to.include({ tokenType: 'Bearer', expiresIn: 900 });
      expect(reply.body.accessToken).to.be.a('string');
      expect(reply.body.refreshToken).to.be.a('string');
      expect(reply.headers.get('cache-control')).to.equal('no-store');
    });

    it('accepts the OAuth2 password grant as a form, answering in RFC 6749 names (oauth2Login.api.spec.ts)', async () => {
      const account = await register(api);
      const reply = await api.post('/auth/login', undefined, {
        form: { grant_type: 'password', username: account.email, password: account.password },
      });
      expect(reply.status).to.equal(200);
      expect(reply.body.token_type).to.equal('Bearer');
    });

    it('answers a wrong password and an unknown address alike, with 401', async () => {
      const account = await register(api);
      const wrong = await api.post('/auth/login', { email: account.email, password: 'not the password' });
      const unknown = await api.post('/auth/login', { email: uniqueEmail(), password: 'whatever it is' });
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(wrong.body.detail).to.equal(unknown.body.detail);
    });

    it('signs in with the address in another letter case', async () => {
      const account = await register(api);
      expect((await api.post('/auth/login', { email: account.email.toUpperCase(), password: account.password })).status).to.equal(200);
    });
  });

  describe('GET /me', () => {
    it('shows the signed-in account', async () => {
      const user = await signUp(api);
      const reply = await api.get('/me', { token: user.accessToken });
      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.equal({ userId: user.userId, email: user.email, displayName: 'A Viewer', role: 'user', status: 'active' });
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates the refresh token and issues a new access token', async () => {
      const user = await signUp(api);
      const reply = await api.post('/auth/refresh', { refreshToken: user.refreshToken });
      expect(reply.status).to.equal(200);
      expect(reply.body.refreshToken).not.to.equal(user.refreshToken);
      expect((await api.get('/me', { token: String(reply.body.accessToken) })).status).to.equal(200);
    });

    it('treats a rotated token coming back as theft: 401, and the whole session is revoked', async () => {
      const user = await signUp(api);
      const rotated = await api.post('/auth/refresh', { refreshToken: user.refreshToken });
      const replayed = await api.post('/auth/refresh', { refreshToken: user.refreshToken });
      expect(replayed.status).to.equal(401);
      expect(replayed.body.detail).to.match(/revoked/);
      const current = await api.post('/auth/refresh', { refreshToken: String(rotated.body.refreshToken) });
      expect(current.status).to.equal(401);
    });

    it('refuses malformed and forged tokens with 401', async () => {
      expect((await api.post('/auth/refresh', { refreshToken: 'garbage' })).status).to.equal(401);
      const user = await signUp(api);
      const [sessionId] = user.refreshToken.split('.');
      expect((await api.post('/auth/refresh', { refreshToken: `${sessionId}.${'A'.repeat(43)}` })).status).to.equal(401);
    });

    it('refuses once the session has expired', async () => {
      const user = await signUp(api);
      running.clock.advance(31 * 86_400);
      try {
        expect((await api.post('/auth/refresh', { refreshToken: user.refreshToken })).status).to.equal(401);
      } finally {
        running.clock.advance(-31 * 86_400);
      }
    });
  });

  describe('POST /auth/logout', () => {
    it('ends the session: its refresh token stops working', async () => {
      const user = await signUp(api);
      const reply = await api.post('/auth/logout', { refreshToken: user.refreshToken });
      expect(reply.status).to.equal(200);
      expect(reply.body.position).to.match(/^\d+$/);
      expect((await api.post('/auth/refresh', { refreshToken: user.refreshToken })).status).to.equal(401);
    });
  });

  describe('PUT /me/password', () => {
    it('changes the password when the current one is given', async () => {
      const user = await signUp(api);
      const reply = await api.put(
        '/me/password',
        { currentPassword: user.password, newPassword: 'a brand new password' },
        { token: user.accessToken },
      );
      expect(reply.status).to.equal(200);
      expect((await api.post('/auth/login', { email: user.email, password: user.password })).status).to.equal(401);
      await logIn(api, user.email, 'a brand new password');
    });

    it('refuses a wrong current password with 403 and a short new one with 400', async () => {
      const user = await signUp(api);
      expect(
        (
          await api.put(
            '/me/password',
            { currentPassword: 'wrong password', newPassword: 'a brand new password' },
            { token: user.accessToken },
          )
        ).status,
      ).to.equal(403);
      expect(
        (await api.put('/me/password', { currentPassword: user.password, newPassword: 'short' }, { token: user.accessToken })).status,
      ).to.equal(400);
    });
  });

  describe('password reset', () => {
    const mailedToken = (to: string): Promise<string> => mailedResetToken(running.dataDir, to);

    it('answers 202 whether or not the account exists', async () => {
      const user = await register(api);
      const known = await api.post('/auth/password-reset', { email: user.email });
      const unknown = await api.post('/auth/password-reset', { email: uniqueEmail() });
      expect(known.status).to.equal(202);
      expect(unknown.status).to.equal(202);
      expect(known.body).to.deep.equal(unknown.body);
    });

    it('resets the password with the mailed token, once', async () => {
      const user = await register(api);
      await api.post('/auth/password-reset', { email: user.email });
      const token = await mailedToken(user.email);
      const reset = await api.post('/auth/password-reset/confirm', { token, newPassword: 'reset to this one' });
      expect(reset.status).to.equal(200);
      await logIn(api, user.email, 'reset to this one');
      expect((await api.post('/auth/password-reset/confirm', { token, newPassword: 'and again please' })).status).to.equal(400);
    });

    it('refuses a made-up or expired token with 400', async () => {
      const user = await register(api);
      expect(
        (await api.post('/auth/password-reset/confirm', { token: `${user.userId}.forged`, newPassword: 'reset to this one' })).status,
      ).to.equal(400);
      expect((await api.post('/auth/password-reset/confirm', { token: 'nonsense', newPassword: 'reset to this one' })).status).to.equal(
        400,
      );
      await api.post('/auth/password-reset', { email: user.email });
      const token = await mailedToken(user.email);
      running.clock.advance(3_601);
      try {
        expect((await api.post('/auth/password-reset/confirm', { token, newPassword: 'reset to this one' })).status).to.equal(400);
      } finally {
        running.clock.advance(-3_601);
      }
    });
  });
});
