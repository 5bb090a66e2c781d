import { expect } from 'chai';
import { runCli } from '../support/cliProcess.ts';
import { client } from '../support/http.ts';
import { register, uniqueEmail } from '../support/scenario.ts';
import { startTestService, testJwtSecret, type TestService } from '../support/testService.ts';

describe('admin bootstrap', function () {
  this.timeout(60_000);
  let running: TestService;

  before(async () => {
    running = await startTestService();
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

  it('`fastflix users create-admin` creates an admin who can sign in, once', async () => {
    const email = uniqueEmail();
    const first = cli(['--email', email, '--password', 'admin password 1']);
    expect(await first.exited, first.stderr()).to.equal(0);
    expect(first.stdout()).to.match(/Created the admin account/);
    const again = cli(['--email', email, '--password', 'admin password 1']);
    expect(await again.exited).to.equal(0);
    expect(again.stdout()).to.match(/exists already/);

    const api = client(running.base);
    const login = await api.post('/auth/login', { email, password: 'admin password 1' });
    expect((await api.get('/me', { token: String(login.body.accessToken) })).body.role).to.equal('admin');
  });

  it('leaves an existing account with that address as it is, rather than promoting whoever registered it', async () => {
    const api = client(running.base);
    const squatter = await register(api);
    const run = cli(['--email', squatter.email, '--password', 'admin password 1']);
    expect(await run.exited).to.equal(0);
    expect(run.stdout()).to.match(/without the admin role; it was left as it is/);
    const login = await api.post('/auth/login', { email: squatter.email, password: squatter.password });
    expect((await api.get('/me', { token: String(login.body.accessToken) })).body.role).to.equal('user');
  });

  it('refuses a password that is too short, exiting 1', async () => {
    const run = cli(['--email', uniqueEmail(), '--password', 'short']);
    expect(await run.exited).to.equal(1);
    expect(run.stderr()).to.match(/8 to 256 characters/);
  });
});
