import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { client, type Client } from '../../support/http.ts';
import { addMovie, adminEnvironment, logIn, register, signInAsAdmin } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';

// GET /live end to end: Debian's Chromium, driven headless, signs in through the page and sees a
// movie an admin adds over HTTP, and the notification it makes for this viewer, arrive. The page is
// served under a strict Content-Security-Policy (no inline script), as a hardened deployment sends
// it. A screenshot of what the browser showed is kept in test/artifacts/.

const executablePath = '/usr/bin/chromium';
const artifacts = new URL('../../artifacts/', import.meta.url);
const strictPolicy = "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; object-src 'none'";

describe('the live page in a browser', function () {
  this.timeout(120_000);
  let running: TestService;
  let api: Client;
  let admin: string;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!existsSync(executablePath)) {
      if (process.env.CI === 'true') throw new Error(`${executablePath} is missing: .ci/run installs Debian's chromium`);
      console.log(`      skipped: no ${executablePath} (apt-get install -y chromium)`);
      this.skip();
    }
    running = await startTestService({ ...adminEnvironment });
    api = client(running.base);
    admin = (await signInAsAdmin(api)).accessToken;
    // Chromium's local-network checks treat a response the test fulfils (below) as coming from the
    // public internet, and would then refuse its websocket to 127.0.0.1.
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-features=LocalNetworkAccessChecks'],
    });
    page = await browser.newPage();
    // Every page response carries the strict policy, whatever the service itself sends.
    await page.route('**/live**', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': strictPolicy } });
    });
  });
  after(async () => {
    await browser?.close();
    await running?.stop();
  });

  const signIn = async (email: string, password: string): Promise<void> => {
    await page.goto(`${running.base}/live`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('button[type="submit"]');
  };

  it('refuses a wrong password on the page, saying so', async () => {
    const viewer = await register(api);
    await signIn(viewer.email, 'not the password');
    await page.waitForSelector('#sign-in-error:not([hidden])', { timeout: 10_000 });
    expect(await page.isVisible('#feed')).to.equal(false);
  });

  it('signs in, then shows a movie an admin adds and the notification it makes, as they happen', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const viewer = await register(api);
    const { accessToken } = await logIn(api, viewer.email, viewer.password);
    // A taste for westerns: a new western becomes a notification for this viewer.
    const liked = await addMovie(api, admin, { genres: ['western'] });
    expect((await api.put(`/movies/${liked.movieId}/rating`, { score: 5 }, { token: accessToken })).status).to.equal(200);

    await signIn(viewer.email, viewer.password);
    // A failure names what the page said (e.g. "Not connected: …") and what the browser logged.
    await page.waitForSelector('#status:text-is("Live")', { timeout: 15_000 }).catch(async (error: unknown) => {
      throw new Error(`the page says "${await page.textContent('#status')}"; ${errors.join('; ')}`, { cause: error });
    });
    // The inbox as it was at sign-in: the welcome.
    await page.waitForSelector('#notifications li', { timeout: 10_000 });

    const title = `Live Western ${Date.now()}`;
    const added = await addMovie(api, admin, { title, genres: ['western'] });
    await page.waitForSelector(`#movies li:has-text("${title}")`, { timeout: 15_000 });
    await page.waitForSelector(`#notifications li:has-text("New in western: ${title}")`, { timeout: 15_000 });
    expect(await page.getAttribute(`#movies li:has-text("${title}")`, 'data-movie')).to.equal(added.movieId);

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: new URL('live-page.png', artifacts).pathname, fullPage: true });
    expect(errors, errors.join('\n')).to.deep.equal([]);
  });

  it('renews an expired token and, reconnecting, shows what was added while it was away', async () => {
    // The page is signed in and live (the test before). Its refresh is held until a movie has been
    // added while the socket is down, so the movie can only arrive through the reconnection's `since`.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let renewals = 0;
    await page.route('**/auth/refresh', async (route) => {
      renewals += 1;
      await held;
      await route.continue();
    });
    running.clock.advance(16 * 60);
    await page.waitForSelector('#status:text-matches("^Renewing")', { timeout: 15_000 });
    const title = `While Away ${Date.now()}`;
    const adminAgain = (await signInAsAdmin(api)).accessToken;
    const added = await addMovie(api, adminAgain, { title, genres: ['western'] });
    expect(await page.isVisible(`#movies li:has-text("${title}")`)).to.equal(false);
    release();
    await page.waitForSelector('#status:text-is("Live")', { timeout: 15_000 });
    await page.waitForSelector(`#movies li[data-movie="${added.movieId}"]`, { timeout: 15_000 });
    // Its notification was pushed while the page was away: the inbox read after renewing has it.
    await page.waitForSelector(`#notifications li:has-text("New in western: ${title}")`, { timeout: 15_000 });
    expect(renewals).to.equal(1);
    await page.screenshot({ path: new URL('live-page-renewed.png', artifacts).pathname, fullPage: true });
  });
});
