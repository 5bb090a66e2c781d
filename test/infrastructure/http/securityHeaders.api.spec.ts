import { expect } from 'chai';
import { client, type Client } from '../../support/http.ts';
import { register, signUp, type SignedIn } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';

// What every answer tells a browser (README: Limits, headers and client addresses), over real HTTP:
// helmet's headers on every kind of answer, problems included; CORS for the listed origins only, and
// none for any other; no caching of anything a token was sent for.

const allowed = 'https://app.example.com';
const stranger = 'https://evil.example.net';
const exposed = ['X-Event-Position', 'ETag', 'Retry-After', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

/** The headers helmet sets, as this service configures them. */
const expectHardened = (headers: Headers, what: string): void => {
  expect(headers.get('strict-transport-security'), what).to.equal('max-age=31536000; includeSubDomains');
  expect(headers.get('x-content-type-options'), what).to.equal('nosniff');
  expect(headers.get('x-frame-options'), what).to.equal('DENY');
  expect(headers.get('referrer-policy'), what).to.equal('no-referrer');
  const policy = headers.get('content-security-policy') ?? '';
  expect(policy, what).to.contain("default-src 'self'");
  expect(policy, what).to.contain("script-src 'self'");
  expect(policy, what).to.contain("frame-ancestors 'none'");
  expect(policy, what).not.to.contain('unsafe-eval');
};

const corsHeaders = (headers: Headers): string[] => [...headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('security headers and CORS', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let viewer: SignedIn;

  before(async () => {
    running = await startTestService({ CORS_ORIGINS: `${allowed},http://localhost:5173`, READ_YOUR_WRITES_TIMEOUT: '1s' });
    api = client(running.base);
    // Signed in before the 429 spec spends this address's failed logins.
    viewer = await signUp(api);
  });
  after(async () => {
    await running?.stop();
  });

  describe('a preflight', () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${running.base}/movies/00000000-0000-4000-8000-000000000000/rating`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });

    it('from an allowed origin is answered 204 with what it may send, and no credentials', async () => {
      const response = await preflight(allowed);
      expect(response.status).to.equal(204);
      expect(response.headers.get('access-control-allow-origin')).to.equal(allowed);
      expect(response.headers.get('access-control-allow-methods')?.split(',')).to.include.members([
        'GET',
        'PUT',
        'POST',
        'PATCH',
        'DELETE',
      ]);
      const allowedHeaders = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
      expect(allowedHeaders).to.include.members(['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-min-position']);
      expect(response.headers.get('access-control-allow-credentials')).to.equal(null);
      expect(response.headers.get('access-control-max-age')).to.equal('600');
      expect(response.headers.get('vary')).to.contain('Origin');
    });

    it('from any other origin gets no CORS header at all', async () => {
      for (const origin of [stranger, 'null', `${allowed}.evil.example.net`, 'http://app.example.com']) {
        const response = await preflight(origin);
        expect(corsHeaders(response.headers), origin).to.deep.equal([]);
      }
    });
  });

  describe('an ordinary answer', () => {
    it('to an allowed origin names it and exposes the headers clients read', async () => {
      const response = await fetch(`${running.base}/movies`, { headers: { Origin: allowed } });
      expect(response.status).to.equal(200);
      expect(response.headers.get('access-control-allow-origin')).to.equal(allowed);
      expect(response.headers.get('access-control-allow-credentials')).to.equal(null);
      const exposedNow = (response.headers.get('access-control-expose-headers') ?? '').split(',');
      expect(exposedNow).to.include.members(exposed);
      expectHardened(response.headers, 'GET /movies');
    });

    it('to another origin, or to no origin, has no CORS header', async () => {
      expect(corsHeaders((await fetch(`${running.base}/movies`, { headers: { Origin: stranger } })).headers)).to.deep.equal([]);
      expect(corsHeaders((await fetch(`${running.base}/movies`)).headers)).to.deep.equal([]);
    });
  });

  describe('problem answers', () => {
    /** The answer is a problem, hardened, and readable by the allowed origin's script. */
    const expectProblem = (reply: { status: number; headers: Headers }, status: number, what: string): void => {
      expect(reply.status, what).to.equal(status);
      expect(reply.headers.get('content-type'), what).to.contain('application/problem+json');
      expectHardened(reply.headers, what);
      expect(reply.headers.get('access-control-allow-origin'), what).to.equal(allowed);
      expect(reply.headers.get('x-request-id'), what).to.match(/./);
    };
    const origin = { Origin: allowed };

    it('404, 405 and 401 carry them', async () => {
      expectProblem(await api.get('/no/such/path', { headers: origin }), 404, '404');
      expectProblem(await api.put('/movies', {}, { headers: origin }), 405, '405');
      expectProblem(await api.get('/me', { headers: origin, token: 'not.a.token' }), 401, '401');
    });

    it('413 carries them', async () => {
      const reply = await api.post('/auth/register', undefined, { headers: origin, raw: JSON.stringify({ padding: 'x'.repeat(2 ** 21) }) });
      expectProblem(reply, 413, '413');
    });

    it('429 carries them, Retry-After among the exposed headers', async () => {
      const account = await register(api);
      let reply = await api.post('/auth/login', { email: account.email, password: 'wrong password' }, { headers: origin });
      for (let attempt = 1; reply.status !== 429 && attempt < 10; attempt += 1)
        reply = await api.post('/auth/login', { email: account.email, password: 'wrong password' }, { headers: origin });
      expectProblem(reply, 429, '429');
      expect(reply.headers.get('retry-after')).to.match(/^\d+$/);
      expect(reply.headers.get('access-control-expose-headers')?.split(',')).to.include('Retry-After');
    });

    it('503 carries them', async () => {
      const reply = await api.get('/movies', { headers: { ...origin, 'X-Min-Position': '900000000000' } });
      expectProblem(reply, 503, '503');
      expect(reply.headers.get('retry-after')).to.equal('1');
    });
  });

  describe('Cache-Control', () => {
    it('is no-store on every answer to a request with a token: /me, a command, a problem, a refused token', async () => {
      const token = viewer.accessToken;
      const answers = {
        'GET /me': await api.get('/me', { token }),
        'GET /me/watchlist': await api.get('/me/watchlist', { token }),
        'PUT /me/watchlist (unknown movie)': await api.put('/me/watchlist/00000000-0000-4000-8000-000000000000', undefined, { token }),
        'GET /movies with a token': await api.get('/movies', { token }),
        'GET /me with a bad token': await api.get('/me', { token: `${token}x` }),
      };
      expect(answers['GET /me'].status).to.equal(200);
      expect(answers['GET /me with a bad token'].status).to.equal(401);
      for (const [what, reply] of Object.entries(answers)) expect(reply.headers.get('cache-control'), what).to.equal('no-store');
    });

    it("leaves public answers' own caching alone", async () => {
      const reply = await api.get('/docs/swagger-ui.css');
      expect(reply.status).to.equal(200);
      expect(reply.headers.get('cache-control')).to.equal('public, max-age=3600');
    });
  });
});
