import { expect } from 'chai';
import { client, type Client, type Reply } from '../../support/http.ts';
import { register, uniqueEmail } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';

// Issue 18, rate limits: failed logins per account and per client address, registrations and
// password resets per address, the general limit and its RateLimit-* headers, X-Forwarded-For only
// from a trusted proxy, and every refusal a problem+json 429 with Retry-After, counted in /metrics.

const from = (address: string): { headers: Record<string, string> } => ({ headers: { 'X-Forwarded-For': address } });

const expectRefused = (reply: Reply, maxRetryAfter: number): void => {
  expect(reply.status, JSON.stringify(reply.body)).to.equal(429);
  expect(reply.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(reply.body.status).to.equal(429);
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(retryAfter).to.be.within(1, maxRetryAfter);
};

const rejections = async (api: Client, limit: string): Promise<number> => {
  const text = (await api.get<string>('/metrics')).body;
  return Number(new RegExp(`^fastflix_rate_limit_rejections_total\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};

describe('rate limits behind a trusted proxy (TRUST_PROXY=1)', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    running = await startTestService({
      TRUST_PROXY: '1',
      RATE_LIMIT_REGISTRATIONS: '3/1h',
      RATE_LIMIT_RESET_REQUESTS: '2/1h',
      RATE_LIMIT_RESET_CONFIRMATIONS: '2/15m',
    });
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  const logIn = async (email: string, password: string, address: string) => api.post('/auth/login', { email, password }, from(address));

  it('answers the 6th failed login for one account within a minute 429 with Retry-After, the right password too', async () => {
    const account = await register(api, uniqueEmail(), 'the right password');
    const before = await rejections(api, 'login_failures_account');
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await logIn(account.email, 'a wrong password', `10.0.1.${attempt}`)).status, `attempt ${attempt}`).to.equal(401);
    }
    // From yet another address, with the right password: the account is what is limited.
    expectRefused(await logIn(account.email, account.password, '10.0.1.6'), 60);
    expectRefused(await logIn(account.email.toUpperCase(), 'a wrong password', '10.0.1.7'), 60);
    expect(await rejections(api, 'login_failures_account')).to.equal(before + 2);
  });

  it('answers the 6th failed login from one address 429, whatever account it names', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await logIn(uniqueEmail(), 'a wrong password', '10.0.2.1')).status).to.equal(401);
    }
    expectRefused(await logIn(uniqueEmail(), 'a wrong password', '10.0.2.1'), 60);
    const account = await register(api);
    expectRefused(await logIn(account.email, account.password, '10.0.2.1'), 60);
    // Another address is not held back.
    expect((await logIn(account.email, account.password, '10.0.2.2')).status).to.equal(200);
  });

  it("clears an account's count when a login succeeds", async () => {
    const account = await register(api);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect((await logIn(account.email, 'a wrong password', '10.0.3.1')).status).to.equal(401);
    }
    expect((await logIn(account.email, account.password, '10.0.3.1')).status).to.equal(200);
    // Four more failures: eight for the account in the minute, but only four since its success.
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect((await logIn(account.email, 'a wrong password', '10.0.3.2')).status, `attempt ${attempt}`).to.equal(401);
    }
  });

  it('keeps the address the proxy appended, not what the client wrote in front of it', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await logIn(uniqueEmail(), 'a wrong password', `192.0.2.${attempt}, 10.0.4.1`)).status).to.equal(401);
    }
    expectRefused(await logIn(uniqueEmail(), 'a wrong password', '192.0.2.99, 10.0.4.1'), 60);
  });

  it('limits registrations per address (RATE_LIMIT_REGISTRATIONS=3/1h)', async () => {
    const registerFrom = async (address: string) =>
      api.post('/auth/register', { email: uniqueEmail(), password: 'a long enough password', displayName: 'Limited' }, from(address));
    for (let attempt = 1; attempt <= 3; attempt += 1) expect((await registerFrom('10.0.5.1')).status).to.equal(201);
    expectRefused(await registerFrom('10.0.5.1'), 3_600);
    expect((await registerFrom('10.0.5.2')).status).to.equal(201);
  });

  it('limits reset requests and reset confirmations per address', async () => {
    const requestFrom = async (address: string) => api.post('/auth/password-reset', { email: uniqueEmail() }, from(address));
    expect((await requestFrom('10.0.6.1')).status).to.equal(202);
    expect((await requestFrom('10.0.6.1')).status).to.equal(202);
    expectRefused(await requestFrom('10.0.6.1'), 3_600);

    const guess = async (address: string) =>
      api.post(
        '/auth/password-reset/confirm',
        { token: `${crypto.randomUUID()}.${'A'.repeat(43)}`, newPassword: 'a guessed one' },
        from(address),
      );
    expect((await guess('10.0.6.2')).status).to.equal(400);
    expect((await guess('10.0.6.2')).status).to.equal(400);
    expectRefused(await guess('10.0.6.2'), 900);
    expect(await rejections(api, 'reset_confirmations')).to.equal(1);
  });
});

describe('a flood of wrong logins (scrypt at its default cost, PASSWORD_HASH_COST=15)', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    running = await startTestService({ TRUST_PROXY: '1', PASSWORD_HASH_COST: '15', PASSWORD_HASHES_PER_ADDRESS: '8' });
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  const logInFrom = async (email: string, password: string, address: string) => api.post('/auth/login', { email, password }, from(address));

  it('lets a correct login through within a second while 100 wrong ones flood in parallel from one address', async () => {
    const account = await register(api);
    // The same login alone first: on a busy machine one scrypt at this cost may take most of a second.
    const controlStarted = performance.now();
    expect((await logInFrom(account.email, account.password, '10.0.7.3')).status).to.equal(200);
    const control = performance.now() - controlStarted;
    const decoys = async (): Promise<number> =>
      Number(/^fastflix_password_hashes_total\{operation="decoy"\} (\d+)$/m.exec((await api.get<string>('/metrics')).body)?.[1] ?? 0);
    const decoysBefore = await decoys();
    const flood = Promise.all(
      Array.from({ length: 100 }, async () => (await logInFrom(uniqueEmail(), 'a wrong password', '10.0.7.1')).status),
    );
    const started = performance.now();
    const reply = await logInFrom(account.email, account.password, '10.0.7.2');
    const elapsed = performance.now() - started;
    const statuses = await flood;
    expect(reply.status).to.equal(200);
    // The flood bought few scrypt computations: eight at a time from its address (PASSWORD_HASHES_PER_ADDRESS)
    // until its five failures were recorded, the ones started by then finishing; every other request
    // of it was refused before any hashing.
    expect((await decoys()) - decoysBefore).to.be.within(1, 12);
    expect(statuses.filter((status) => status === 401).length).to.be.within(1, 12);
    expect(statuses.filter((status) => status === 429).length).to.be.at.least(88);
    // Within a second on a quiet machine (about half of one here); on a shared one, within a few times
    // what the login took alone, where without the gates it would wait behind about 100 hashes.
    expect(elapsed, `alone it took ${Math.round(control)} ms`).to.be.below(Math.max(1_000, 10 * control));
  });
});

describe('rate limits without a trusted proxy', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    running = await startTestService({ RATE_LIMIT_REQUESTS: '8/1m' });
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  it('ignores X-Forwarded-For, sends RateLimit-* headers, and answers past the general limit 429', async () => {
    const statuses: number[] = [];
    let last: Reply | undefined;
    for (let request = 1; request <= 8; request += 1) {
      last = await api.get('/me', from(`198.51.100.${request}`));
      statuses.push(last.status);
      expect(last.headers.get('ratelimit-limit')).to.equal('8');
      expect(last.headers.get('ratelimit-remaining')).to.equal(String(8 - request));
      expect(last.headers.get('ratelimit-policy')).to.equal('8;w=60');
      expect(Number(last.headers.get('ratelimit-reset'))).to.be.within(1, 60);
    }
    // Counted before anything else is asked of the request: a refused token costs a point too.
    expect(statuses.every((status) => status === 401)).to.equal(true);
    const refused = await api.get('/me', from('198.51.100.200'));
    expectRefused(refused, 60);
    expect(refused.headers.get('ratelimit-remaining')).to.equal('0');
    // The operators' probes are not counted, and /metrics says what was refused.
    expect((await api.get('/healthz')).status).to.equal(200);
    expect(await rejections(api, 'requests')).to.equal(1);
  });
});

describe('the general limit by default', function () {
  this.timeout(60_000);
  let running: TestService;

  before(async () => {
    running = await startTestService();
  });
  after(async () => {
    await running.stop();
  });

  it('is generous: 50,000 requests in 10 s per address', async () => {
    const reply = await client(running.base).get('/me');
    expect(reply.status).to.equal(401);
    expect(reply.headers.get('ratelimit-policy')).to.equal('50000;w=10');
  });
});

describe('the login limit and the OAuth2 form', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;

  before(async () => {
    running = await startTestService({ TRUST_PROXY: '1' });
    api = client(running.base);
  });
  after(async () => {
    await running.stop();
  });

  it('counts a wrong password given through the OAuth2 form (400 invalid_grant) as a failed login', async () => {
    const account = await register(api, uniqueEmail(), 'the right password');
    const form = (password: string, address: string) =>
      api.post('/auth/login', undefined, { form: { grant_type: 'password', username: account.email, password }, ...from(address) });
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const reply = await form('a wrong password', `10.0.4.${attempt}`);
      expect([reply.status, reply.body.error], `attempt ${attempt}`).to.deep.equal([400, 'invalid_grant']);
    }
    expectRefused(await form(account.password, '10.0.4.6'), 60);
  });
});
