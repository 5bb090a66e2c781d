import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { streamName } from '../../src/infrastructure/eventStore/streamName.ts';
import { runCli } from '../support/cliProcess.ts';
import { client, type Client } from '../support/http.ts';
import { logIn, uniqueEmail } from '../support/scenario.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.ts';
import { startTestService, type TestService } from '../support/testService.ts';
import { waitFor } from '../support/waitFor.ts';

// Mail through a real SMTP server (smtp-server, in this process): the welcome mail once per
// registration, however often its event is delivered again (a projection rebuild, a restart, the
// reactor's checkpoint moved back with its effects and jobs forgotten); the reset token mailed and
// good once; a mail server that is down delays mail and loses none; bulk registrations mail nobody.
// The reactor and jobs handle events in log order, so a later mail arriving (a "marker"
// registration) proves an earlier event was handled, however it was.

describe('mail (welcome and password reset) through a real SMTP server', function () {
  this.timeout(120_000);
  let smtp: TestSmtpServer;
  let running: TestService;
  let api: Client;
  let database: pg.Client;
  const environment = (): Record<string, string> => ({ SMTP_URL: smtp.url, JOB_RETRY_DELAY: '1s', JOB_RETRIES: '4' });

  const register = async (displayName = 'A Viewer'): Promise<{ userId: string; email: string; password: string; position: string }> => {
    const email = uniqueEmail();
    const reply = await api.post('/auth/register', { email, password: 'correct horse battery', displayName });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    return { userId: String(reply.body.userId), email, password: 'correct horse battery', position: String(reply.body.position) };
  };
  /** A registration whose welcome arriving proves every earlier event was handled. */
  const marker = async (): Promise<void> => {
    const { email } = await register('Marker');
    await smtp.waitFor(email);
  };
  const restart = async (): Promise<void> => {
    const shared = running.database;
    await running.service.stop();
    running = await startTestService(environment(), shared);
    api = client(running.base);
  };

  before(async () => {
    smtp = await startSmtpServer();
    running = await startTestService(environment());
    api = client(running.base);
    database = new pg.Client({ connectionString: running.database.url.href });
    await database.connect();
  });

  after(async () => {
    await database.end();
    await running.stop();
    await smtp.close();
  });

  it('sends the welcome once, in text and HTML, the display name escaped in the HTML', async () => {
    const user = await register('<script>alert("hi")</script> & Co');
    const [mail] = await smtp.waitFor(user.email);
    expect(mail?.message).to.match(/^Subject: Welcome to FastFlix$/m);
    expect(mail?.message).to.include('Content-Type: text/plain');
    expect(mail?.message).to.include('Content-Type: text/html');
    expect(mail?.message).to.include('Hello <script>alert("hi")</script> & Co,');
    expect(mail?.message).to.include('<p>Hello &lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; Co,</p>');
    expect(mail?.message).not.to.include('<p>Hello <script>');
    expect(mail?.message).to.match(/^Message-ID: <[0-9a-f-]{36}@fastflix\.local>$/m);
    await marker();
    expect(smtp.to(user.email)).to.have.length(1);
  });

  it('sends it still once after a projection rebuild, a restart, and a replay of the mail reactor from the start', async () => {
    const user = await register();
    await smtp.waitFor(user.email);
    // As an operator would, beside the running service: every read model rebuilt from the log.
    const rebuild = runCli(['projections', 'rebuild', '--all', '--force'], {
      DATABASE_URL: running.database.url.href,
      LOG_LEVEL: 'warn',
      FASTFLIX_DATA_DIR: running.dataDir,
    });
    expect(await rebuild.exited, rebuild.stdout() + rebuild.stderr()).to.equal(0);
    await marker();
    expect(smtp.to(user.email)).to.have.length(1);

    await restart();
    await marker();
    expect(smtp.to(user.email)).to.have.length(1);

    // The reactor's checkpoint moved back to the start, its effects and Agenda's jobs forgotten: only
    // the record of the delivery is left to stop a second mail.
    await running.service.stop();
    await database.query("UPDATE reactor_state SET position = -1 WHERE name = 'mail'");
    await database.query("DELETE FROM reactor_effects WHERE reactor = 'mail'");
    await database.query('DELETE FROM agenda_jobs');
    running = await startTestService(environment(), running.database);
    api = client(running.base);
    await marker();
    expect(smtp.to(user.email)).to.have.length(1);
    const { rows } = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'welcome-mail'");
    expect(rows[0]?.n).to.be.greaterThan(1);
  });

  it('mails the reset token, which works once', async () => {
    const user = await register();
    expect((await api.post('/auth/password-reset', { email: user.email })).status).to.equal(202);
    const mails = await smtp.waitFor(user.email, 2);
    const reset = mails.find((mail) => /^Subject: Reset your FastFlix password$/m.test(mail.message));
    const token = /reset token, valid for one hour: (\S+)/.exec(reset?.message ?? '')?.[1];
    expect(token).to.match(new RegExp(`^${user.userId}\\.`));
    expect(reset?.message).to.include('Content-Type: text/html');
    expect((await api.post('/auth/password-reset/confirm', { token, newPassword: 'reset to this one' })).status).to.equal(200);
    await logIn(api, user.email, 'reset to this one');
    expect((await api.post('/auth/password-reset/confirm', { token, newPassword: 'and again please' })).status).to.equal(400);
    // Sent, the token no longer waits in the outbox.
    const { rows } = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM password_reset_outbox WHERE user_id = $1', [
      user.userId,
    ]);
    expect(rows[0]?.n).to.equal(0);
    await marker();
    expect(smtp.to(user.email)).to.have.length(2);
  });

  it('retries while the mail server is down, then sends once when it is back', async () => {
    await smtp.down();
    let user: Awaited<ReturnType<typeof register>>;
    try {
      user = await register();
      // At least one failed attempt, and the job is waiting for its retry (1 s, then 2 s, 4 s, 8 s).
      await waitFor(async () => {
        const { rows } = await database.query<{ fail_count: number | null }>(
          "SELECT fail_count FROM agenda_jobs WHERE name = 'welcome-mail' AND data->'payload'->>'userId' = $1",
          [user.userId],
        );
        return (rows[0]?.fail_count ?? 0) >= 1;
      }, 30_000);
      expect(smtp.to(user.email)).to.have.length(0);
    } finally {
      await smtp.up();
    }
    await smtp.waitFor(user.email);
    await marker();
    expect(smtp.to(user.email)).to.have.length(1);
    const metrics = (await api.get<string>('/metrics')).body;
    expect(metrics).to.match(/fastflix_job_failures_total\{job_name="welcome-mail"\} [1-9]/);
    expect(metrics).to.match(/fastflix_job_runs_total\{job_name="welcome-mail"\} [1-9]/);
  });

  it('mails nobody registered by a bulk load', async () => {
    const userId = randomUUID();
    const email = uniqueEmail();
    await running.service.eventStore.appendToStream(streamName('user', userId), [
      {
        eventId: randomUUID(),
        type: 'UserRegistered',
        schemaVersion: 1,
        data: { userId, email, displayName: 'Imported', passwordHash: 'not-a-hash', role: 'viewer' },
        metadata: { occurredAt: new Date().toISOString(), actorId: null, correlationId: 'demo', causationId: null, bulk: true },
      },
    ]);
    await marker();
    expect(smtp.to(email)).to.have.length(0);
  });
});
