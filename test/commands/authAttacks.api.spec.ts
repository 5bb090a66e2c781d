import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { client, type Client } from '../support/http.ts';
import { addMovie, adminEnvironment, newMovie, signInAsAdmin, signUp, type SignedIn } from '../support/scenario.ts';
import { startTestService, testJwtSecret, type TestService } from '../support/testService.ts';

// The attacks a reviewer would try on the bearer tokens, against a real route.

describe('authentication under attack', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let user: SignedIn;
  let claims: { sub: string; role: string; sid: string };

  before(async () => {
    running = await startTestService(adminEnvironment);
    api = client(running.base);
    user = await signUp(api);
    const decoded = jwt.decode(user.accessToken);
    if (typeof decoded !== 'object' || decoded === null) throw new Error('no claims');
    claims = { sub: String(decoded.sub), role: String(decoded.role), sid: String(decoded.sid) };
  });
  after(async () => {
    await running.stop();
  });

  const meWith = async (token: string | undefined, header?: string) =>
    api.get('/me', header === undefined ? { token } : { headers: { Authorization: header } });

  const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = (): number => Math.floor(Date.now() / 1000);

  it('accepts the genuine token (the control)', async () => {
    expect((await meWith(user.accessToken)).status).to.equal(200);
  });

  it('refuses no token, and a header that is not Bearer', async () => {
    expect((await meWith(undefined)).status).to.equal(401);
    expect((await meWith(undefined, `Basic ${Buffer.from('a:b').toString('base64')}`)).status).to.equal(401);
    expect((await meWith(undefined, 'Bearer')).status).to.equal(401);
  });

  it('refuses an expired token', async () => {
    running.clock.advance(16 * 60);
    try {
      const reply = await meWith(user.accessToken);
      expect(reply.status).to.equal(401);
      expect(reply.body.detail).to.match(/expired/);
    } finally {
      running.clock.advance(-16 * 60);
    }
  });

  it('refuses a token signed with another secret', async () => {
    const forged = jwt.sign({ ...claims, role: 'admin' }, 'another-secret-that-is-long-enough-0123456789', {
      algorithm: 'HS256',
      issuer: 'fastflix',
      audience: 'fastflix-api',
      expiresIn: 900,
    });
    expect((await meWith(forged)).status).to.equal(401);
  });

  it('refuses a token with a tampered payload', async () => {
    const [header, , signature] = user.accessToken.split('.');
    const tampered = `${header}.${base64url({ ...claims, role: 'admin', iss: 'fastflix', aud: 'fastflix-api', exp: now() + 900 })}.${signature}`;
    expect((await meWith(tampered)).status).to.equal(401);
  });

  it('refuses alg none', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, iss: 'fastflix', aud: 'fastflix-api', exp: now() + 900 })}.`;
    expect((await meWith(unsigned)).status).to.equal(401);
  });

  it('refuses RS256, and the HS/RS confusion of signing with a public key as the HMAC secret', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = jwt.sign(claims, privateKey, { algorithm: 'RS256', issuer: 'fastflix', audience: 'fastflix-api', expiresIn: 900 });
    expect((await meWith(rs)).status).to.equal(401);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const confused = jwt.sign(claims, pem, { algorithm: 'HS256', issuer: 'fastflix', audience: 'fastflix-api', expiresIn: 900 });
    expect((await meWith(confused)).status).to.equal(401);
  });

  it('refuses a wrong audience or issuer, even correctly signed', async () => {
    const wrongAudience = jwt.sign(claims, testJwtSecret, {
      algorithm: 'HS256',
      issuer: 'fastflix',
      audience: 'another-api',
      expiresIn: 900,
    });
    const wrongIssuer = jwt.sign(claims, testJwtSecret, {
      algorithm: 'HS256',
      issuer: 'someone-else',
      audience: 'fastflix-api',
      expiresIn: 900,
    });
    expect((await meWith(wrongAudience)).status).to.equal(401);
    expect((await meWith(wrongIssuer)).status).to.equal(401);
  });

  it('refuses a correctly signed token without the claims it must carry', async () => {
    const noSession = jwt.sign({ sub: claims.sub, role: claims.role }, testJwtSecret, {
      algorithm: 'HS256',
      issuer: 'fastflix',
      audience: 'fastflix-api',
      expiresIn: 900,
    });
    expect((await meWith(noSession)).status).to.equal(401);
  });

  describe('RFC 8725 and RFC 9068', () => {
    const sign = (payload: object, header: Record<string, unknown> = { typ: 'at+jwt' }): string =>
      jwt.sign(payload, testJwtSecret, {
        algorithm: 'HS256',
        issuer: 'fastflix',
        audience: 'fastflix-api',
        header: { alg: 'HS256', ...header },
      });

    it('accepts a token made as the service makes them (the control)', async () => {
      expect((await meWith(sign({ ...claims, iat: now(), exp: now() + 900 }))).status).to.equal(200);
      expect((await meWith(sign({ ...claims, iat: now(), exp: now() + 900 }, { typ: 'application/at+jwt' }))).status).to.equal(200);
    });

    it('refuses a token without exp', async () => {
      const reply = await meWith(sign({ ...claims, iat: now() }));
      expect(reply.status).to.equal(401);
      expect(reply.body.detail).to.match(/expires/);
    });

    it('refuses a token issued a day ahead', async () => {
      const reply = await meWith(sign({ ...claims, iat: now() + 86_400, exp: now() + 86_400 + 900 }));
      expect(reply.status).to.equal(401);
      expect(reply.body.detail).to.match(/future/);
    });

    it('refuses a token naming a critical extension', async () => {
      const reply = await meWith(
        sign({ ...claims, iat: now(), exp: now() + 900 }, { typ: 'at+jwt', crit: ['exp-extension'], 'exp-extension': 1 }),
      );
      expect(reply.status).to.equal(401);
      expect(reply.body.detail).to.match(/critical/);
    });

    it('refuses a JWT of another type, or of none, signed with the same key', async () => {
      for (const header of [{}, { typ: 'JWT' }, { typ: 'id+jwt' }]) {
        const reply = await meWith(sign({ ...claims, iat: now(), exp: now() + 900 }, header));
        expect(reply.status, JSON.stringify(header)).to.equal(401);
        expect(reply.body.detail).to.match(/not an access token/);
      }
    });
  });

  it('keeps a user off admin routes with 403', async () => {
    expect((await api.post('/movies', newMovie(), { token: user.accessToken })).status).to.equal(403);
    expect((await api.put(`/admin/users/${user.userId}/role`, { role: 'admin' }, { token: user.accessToken })).status).to.equal(403);
  });

  it('does not let a token that claims admin for a user account act as admin', async () => {
    const elevated = jwt.sign({ ...claims, role: 'admin' }, testJwtSecret, {
      algorithm: 'HS256',
      issuer: 'fastflix',
      audience: 'fastflix-api',
      expiresIn: 900,
      header: { alg: 'HS256', typ: 'at+jwt' },
    });
    // Even a leaked secret does not make the account an admin: the role is checked on the account.
    expect((await api.post('/movies', newMovie(), { token: elevated })).status).to.equal(403);
  });

  it("refuses a revoked session's refresh token", async () => {
    const session = await signUp(api);
    await api.post('/auth/logout', { refreshToken: session.refreshToken });
    expect((await api.post('/auth/refresh', { refreshToken: session.refreshToken })).status).to.equal(401);
  });

  it("gives no way to act on another user's data", async () => {
    const admin = (await signInAsAdmin(api)).accessToken;
    const { movieId } = await addMovie(api, admin);
    const victim = await signUp(api);
    await api.put(`/me/watchlist/${movieId}`, undefined, { token: victim.accessToken });
    // The only handle on a user's data is their own token: routes never take another user's id.
    await api.delete(`/me/watchlist/${movieId}`, { token: user.accessToken });
    const events = await running.service.eventStore.readStream(`viewing-${victim.userId}_${movieId}` as never);
    expect(events.map((event) => event.type)).to.deep.equal(['AddedToWatchlist']);
  });
});
