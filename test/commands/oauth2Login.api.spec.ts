import { expect } from 'chai';
import { client, type Client } from '../support/http.ts';
import { register, uniqueEmail } from '../support/scenario.ts';
import { startTestService, type TestService } from '../support/testService.ts';

// An OAuth2 client (RFC 6749 §4.3, as Swagger UI's Authorize and FastAPI-era clients send it) and a
// JSON client log in at the same place, each answered in its own shape.

describe('POST /auth/login for OAuth2 clients and JSON clients', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let account: { email: string; password: string };

  before(async () => {
    running = await startTestService();
    api = client(running.base);
    account = await register(api);
  });
  after(async () => {
    await running.stop();
  });

  const grant = (form: Record<string, string>) => api.post('/auth/login', undefined, { form });
  const rawForm = (text: string) =>
    api.post('/auth/login', undefined, { raw: text, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

  describe('the password grant as a form', () => {
    it('answers the RFC 6749 §5.1 token names, uncached, and the token works', async () => {
      const reply = await grant({ grant_type: 'password', username: account.email, password: account.password });
      expect(reply.status).to.equal(200);
      expect(Object.keys(reply.body).sort()).to.deep.equal(['access_token', 'expires_in', 'refresh_token', 'token_type']);
      expect(reply.body).to.include({ token_type: 'Bearer', expires_in: 900 });
      expect(reply.headers.get('content-type')).to.match(/^application\/json/);
      expect(reply.headers.get('cache-control')).to.equal('no-store');
      expect(reply.headers.get('pragma')).to.equal('no-cache');
      expect(reply.headers.get('x-event-position')).to.match(/^\d+$/);
      const me = await api.get('/me', { token: String(reply.body.access_token) });
      expect(me.status).to.equal(200);
      const refreshed = await api.post('/auth/refresh', { refreshToken: reply.body.refresh_token });
      expect(refreshed.status).to.equal(200);
    });

    it('ignores parameters the grant does not define (§3.2), as clients send scope and client_id', async () => {
      const reply = await grant({
        grant_type: 'password',
        username: account.email,
        password: account.password,
        scope: '',
        client_id: 'swagger-ui',
        nonce: 'x',
      });
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      expect(reply.body.access_token).to.be.a('string');
    });

    it('answers a wrong password and an unknown address alike: 400 invalid_grant, not problem+json', async () => {
      const wrong = await grant({ grant_type: 'password', username: account.email, password: 'not the password' });
      const unknown = await grant({ grant_type: 'password', username: uniqueEmail(), password: 'whatever it is' });
      for (const reply of [wrong, unknown]) {
        expect(reply.status).to.equal(400);
        expect(reply.headers.get('content-type')).to.match(/^application\/json/);
        expect(reply.headers.get('cache-control')).to.equal('no-store');
        expect(reply.body).to.deep.equal({
          error: 'invalid_grant',
          error_description: 'The e-mail address or the password is not correct',
        });
      }
    });

    it('answers another grant type with unsupported_grant_type', async () => {
      const reply = await grant({ grant_type: 'client_credentials', client_id: 'a', client_secret: 'b' });
      expect(reply.status).to.equal(400);
      expect(reply.body.error).to.equal('unsupported_grant_type');
      expect(reply.body.error_description).to.match(/client_credentials/);
    });

    it('answers each missing field with invalid_request naming it', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [{ username: account.email, password: account.password }, /^grant_type is required$/],
        [{ grant_type: 'password', password: account.password }, /^username is required$/],
        [{ grant_type: 'password', username: account.email }, /^password is required$/],
        [{ grant_type: 'password', username: account.email, password: '' }, /^password is required$/],
        [{}, /^grant_type, username, password are required$/],
      ];
      for (const [form, description] of cases) {
        const reply = await grant(form);
        expect(reply.status, JSON.stringify(form)).to.equal(400);
        expect(reply.body.error, JSON.stringify(form)).to.equal('invalid_request');
        expect(reply.body.error_description, JSON.stringify(form)).to.match(description);
      }
    });

    it('answers a malformed or repeated field with invalid_request, never quoting the password', async () => {
      const malformed = await grant({ grant_type: 'password', username: 'not an address', password: account.password });
      expect(malformed.status).to.equal(400);
      expect(malformed.body.error).to.equal('invalid_request');
      expect(malformed.body.error_description).to.match(/^username: /);
      const repeated = await rawForm(
        `grant_type=password&username=${encodeURIComponent(account.email)}&password=a1secret&password=b2secret`,
      );
      expect(repeated.status).to.equal(400);
      expect(repeated.body.error).to.equal('invalid_request');
      expect(repeated.body.error_description).to.match(/^password: /);
      expect(JSON.stringify(repeated.body)).not.to.match(/a1secret|b2secret/);
    });

    it('answers an empty form with invalid_request too', async () => {
      const reply = await rawForm(' ');
      expect(reply.status).to.equal(400);
      expect(reply.body.error).to.equal('invalid_request');
    });
  });

  describe('the JSON login', () => {
    it('keeps its camelCase answer', async () => {
      const reply = await api.post('/auth/login', { email: account.email, password: account.password });
      expect(reply.status).to.equal(200);
      expect(Object.keys(reply.body).sort()).to.deep.equal(['accessToken', 'expiresIn', 'position', 'refreshToken', 'tokenType']);
      expect(reply.headers.get('cache-control')).to.equal('no-store');
    });

    it('keeps problem+json for a wrong password (401) and for invalid fields (400)', async () => {
      const wrong = await api.post('/auth/login', { email: account.email, password: 'not the password' });
      expect(wrong.status).to.equal(401);
      expect(wrong.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(wrong.body).not.to.have.property('error');
      const invalid = await api.post('/auth/login', { username: account.email, password: account.password, grant_type: 'password' });
      expect(invalid.status).to.equal(400);
      expect(invalid.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect((invalid.body.errors as { path: string }[]).map((error) => error.path).sort()).to.deep.equal([
        'email',
        'grant_type',
        'username',
      ]);
    });
  });
});
