import { expect } from 'chai';
import { runCli } from '../../support/cliProcess.ts';
import { client, type Client } from '../../support/http.ts';
import { uniqueEmail } from '../../support/scenario.ts';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtpServer.ts';
import { startTestService, type TestService } from '../../support/testService.ts';
import { waitFor } from '../../support/waitFor.ts';

// `fastflix jobs status` and `fastflix jobs retry`, run as an operator would beside the service: a
// welcome mail whose mail server stays down past its retries shows as failed; a retry once the
// server is back sends it, once; a bad id or a job that did not fail is refused with exit code 1.

interface StatusJson {
  readonly counts: { readonly name: string; readonly states: Record<string, number> }[];
  readonly failing: {
    readonly id: string;
    readonly name: string;
    readonly key: string;
    readonly state: string;
    readonly failCount: number;
    readonly failReason: string;
  }[];
}

describe('fastflix jobs status and retry', function () {
  this.timeout(120_000);
  let smtp: TestSmtpServer;
  let running: TestService;
  let api: Client;
  const cli = (args: readonly string[]): ReturnType<typeof runCli> =>
    runCli(args, { DATABASE_URL: running.database.url.href, LOG_LEVEL: 'warn', FASTFLIX_DATA_DIR: running.dataDir });
  const status = async (): Promise<StatusJson> => {
    const run = cli(['jobs', 'status', '--json']);
    expect(await run.exited, run.stderr()).to.equal(0);
    return JSON.parse(run.stdout()) as StatusJson;
  };

  before(async () => {
    smtp = await startSmtpServer();
    running = await startTestService({ SMTP_URL: smtp.url, JOB_RETRY_DELAY: '1s', JOB_RETRIES: '1' });
    api = client(running.base);
  });

  after(async () => {
    await running.stop();
    await smtp.close();
  });

  it('lists a job that ran out of retries as failed, and runs it again on retry, once', async () => {
    const sent = uniqueEmail();
    expect((await api.post('/auth/register', { email: sent, password: 'correct horse battery', displayName: 'Sent' })).status).to.equal(
      201,
    );
    await smtp.waitFor(sent);
    await smtp.down();
    const email = uniqueEmail();
    try {
      expect((await api.post('/auth/register', { email, password: 'correct horse battery', displayName: 'Failed' })).status).to.equal(201);
      // One run and one retry (JOB_RETRIES=1), a second apart, both refused.
      await waitFor(async () => (await status()).failing.some((job) => job.state === 'failed'), 60_000);
    } finally {
      await smtp.up();
    }
    const { failing: everyFailing, counts } = await status();
    // The service's recurring jobs (similarity, trending) run here too, with the same single retry: on
    // a loaded machine one of their runs can fail and be listed; this test is about the mail.
    const failing = everyFailing.filter((job) => job.name === 'welcome-mail');
    const [failed] = failing;
    expect(failing, JSON.stringify(everyFailing)).to.have.length(1);
    expect(failed).to.include({ name: 'welcome-mail', state: 'failed', failCount: 2 });
    expect(failed?.failReason).to.match(/ECONNREFUSED|connect/i);
    expect(counts.find((row) => row.name === 'welcome-mail')?.states).to.deep.equal({ completed: 1, failed: 1 });

    const table = cli(['jobs', 'status']);
    expect(await table.exited).to.equal(0);
    expect(table.stdout()).to.match(/^welcome-mail\s+0\s+0\s+0\s+0\s+1\s+1\s+0$/m);
    expect(table.stdout()).to.include(`${failed?.id ?? '?'}  welcome-mail (key ${failed?.key ?? '?'}): failed after 2 attempts`);
    // Nothing was sent while the server was down, and nothing since: a failed job stays failed.
    expect(smtp.to(email)).to.have.length(0);

    const retry = cli(['jobs', 'retry', failed?.id ?? '?']);
    expect(await retry.exited, retry.stderr()).to.equal(0);
    expect(retry.stdout()).to.include(`Retrying job ${failed?.id ?? '?'} (welcome-mail`);
    await smtp.waitFor(email);
    await waitFor(async () => (await status()).failing.length === 0, 30_000);
    expect((await status()).counts.find((row) => row.name === 'welcome-mail')?.states).to.deep.equal({ completed: 2 });
    expect(smtp.to(email)).to.have.length(1);

    const again = cli(['jobs', 'retry', failed?.id ?? '?']);
    expect(await again.exited).to.equal(1);
    expect(again.stderr()).to.include(`job ${failed?.id ?? '?'} (welcome-mail) is completed, not failed: there is nothing to retry`);
  });

  it('refuses an id that is no job with a clear message and exit code 1', async () => {
    for (const id of ['12345', '00000000-0000-4000-8000-000000000000']) {
      const run = cli(['jobs', 'retry', id]);
      expect(await run.exited).to.equal(1);
      expect(run.stderr()).to.equal(`fastflix: no job has the id "${id}" (see \`fastflix jobs status\`)\n`);
    }
  });
});
