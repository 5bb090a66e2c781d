import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { runCli } from '../support/cliProcess.ts';
import { startTestService, testJwtSecret, type TestService } from '../support/testService.ts';
import { computeTrendingNow } from '../support/trendingSnapshot.ts';

// The README's "see it working" block, run as a reader would run it: `npx fastflix demo`, then each
// curl piped through jq, against a running service. Each line must print something, and nothing
// that is `null` (an example reading a field the answer does not have prints `null` for every item).

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The shell block after "To see it working": its lines, a trailing backslash joining the next. */
const exampleLines = (): string[] => {
  const block = /To see it working[^\n]*\n\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('the README has no "To see it working" block');
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
};

const shell = promisify(execFile);

describe("the README's examples", function () {
  this.timeout(180_000);
  let running: TestService | undefined;

  before(async function () {
    const missing = ['curl', 'jq'].filter((tool) => !['/usr/bin', '/bin', '/usr/local/bin'].some((dir) => existsSync(`${dir}/${tool}`)));
    if (missing.length > 0) {
      if (process.env.CI === 'true') throw new Error(`${missing.join(' and ')} missing: .ci/run installs them`);
      console.log(`      skipped: no ${missing.join(' or ')} to run the README's lines with (apt-get install -y curl jq)`);
      this.skip();
    }
    running = await startTestService();
  });
  after(async () => {
    await running?.stop();
  });

  it('prints what it says: the demo, then search, trending and recommendations, none of them null', async () => {
    const lines = exampleLines();
    if (running === undefined) throw new Error('the service did not start');
    const { base, database, service } = running;
    expect(lines[0]).to.equal('npx fastflix demo');
    // The demo's CLI shares the service's secret, as it does on one installation (one data directory
    // or one JWT_SECRET): e-mail reservations are named by it.
    const demo = runCli(['demo'], { DATABASE_URL: database.url.href, JWT_SECRET: testJwtSecret, LOG_LEVEL: 'warn' });
    expect(await demo.exited, demo.stderr()).to.equal(0);
    // A reader types the next line a few seconds later; the test waits for the read models instead.
    const head = String(await service.eventStore.headPosition());
    expect((await fetch(`${base}/movies?q=river`, { headers: { 'X-Min-Position': head } })).status).to.equal(200);
    // Trending is ranked at the next slot of TRENDING_CRON (the README says so): here, now, once its
    // read models have the demo (read-your-writes waits for them, then finds the snapshot older: 503).
    expect((await fetch(`${base}/movies/trending`, { headers: { 'X-Min-Position': head } })).status).to.equal(503);
    await computeTrendingNow(running);
    expect((await fetch(`${base}/movies/trending`, { headers: { 'X-Min-Position': head } })).status).to.equal(200);
    const script = lines
      .slice(1)
      .map((line) => line.replaceAll('localhost:3000', base.replace('http://', '')))
      .map((line) => (line.includes('| jq') && !line.startsWith('TOKEN=') ? `echo '--- ${line.replaceAll("'", '')}'; ${line}` : line))
      .join('\n');
    const { stdout } = await shell('bash', ['-c', `set -euo pipefail\n${script}`], { maxBuffer: 16 * 2 ** 20 });
    const printed = stdout.split('--- ').slice(1);
    expect(printed, stdout).to.have.length(3);
    for (const output of printed) {
      const [command, ...values] = output.trim().split('\n');
      expect(values, `${command} printed nothing`).to.not.be.empty;
      expect(values, `${command} printed null`).to.not.include('null');
    }
  });
});
