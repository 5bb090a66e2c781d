import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { client } from '../../support/http.ts';
import { signUp, type SignedIn } from '../../support/scenario.ts';
import { startTestService, type TestService } from '../../support/testService.ts';

// The two pages the service serves, under the Content-Security-Policy the service itself sends
// (securityHeaders.ts), in Debian's Chromium driven headless: /docs (Swagger UI from its package)
// browses the document and runs a request, /live (Socket.IO's client script) signs in and goes live.
// Neither may trip the policy: every violation the browser reports, as an event or on its console,
// fails the spec.

const executablePath = '/usr/bin/chromium';

interface Watched {
  readonly page: Page;
  /** Violations and console errors seen so far. */
  readonly problems: () => Promise<string[]>;
}

/** A page that records every CSP violation (the DOM event) and every console error or page error. */
const watchedPage = async (context: BrowserContext): Promise<Watched> => {
  const page = await context.newPage();
  const seen: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    // A failed load is reported below with its URL.
    if (text.startsWith('Failed to load resource')) return;
    if (message.type() === 'error' || /Content.Security.Policy/i.test(text)) seen.push(`console: ${text}`);
  });
  page.on('response', (response) => {
    // The browser asks for /favicon.ico by itself; the pages do not link one there.
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico')
      seen.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
  // Runs before any script of the page, outside its policy (the browser injects it). Scripts for the
  // page are strings: this project compiles without the DOM's types.
  await page.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || '(inline)') + ' at ' + event.sourceFile + ':' + event.lineNumber));`,
  });
  const problems = async (): Promise<string[]> => {
    const violations: unknown = await page.evaluate('window.cspViolations ?? []');
    return [...(Array.isArray(violations) ? violations.map((violation) => `violation: ${String(violation)}`) : []), ...seen];
  };
  return { page, problems };
};

describe('the pages under the service’s own Content-Security-Policy, in a browser', function () {
  this.timeout(120_000);
  let running: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let viewer: SignedIn;

  before(async function () {
    if (!existsSync(executablePath)) {
      if (process.env.CI === 'true') throw new Error(`${executablePath} is missing: .ci/run installs Debian's chromium`);
      console.log(`      skipped: no ${executablePath} (apt-get install -y chromium)`);
      this.skip();
    }
    running = await startTestService();
    viewer = await signUp(client(running.base));
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context?.close();
  });
  after(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('/docs shows every tag of the document and runs a request, with no violation', async () => {
    const { page, problems } = await watchedPage(context);
    const response = await page.goto(`${running.base}/docs`);
    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).to.contain("script-src 'self'");
    await page.waitForSelector('.swagger-ui .info .title:has-text("FastFlix")', { timeout: 30_000 });
    await page.waitForSelector('.opblock-tag-section', { timeout: 10_000 });
    // Try it out on GET /healthz: the page fetches from its own origin (connect-src) and shows the answer.
    const operation = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/healthz"])').first();
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    await operation.locator('.responses-table.live-responses-table .response-col_status:has-text("200")').waitFor({ timeout: 15_000 });
    expect(await problems()).to.deep.equal([]);
  });

  it('/live signs in and goes live over Socket.IO, with no violation', async () => {
    const { page, problems } = await watchedPage(context);
    const response = await page.goto(`${running.base}/live`);
    expect(response?.headers()['content-security-policy'] ?? '').to.contain("connect-src 'self'");
    await page.fill('#email', viewer.email);
    await page.fill('#password', viewer.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('#status:text-is("Live")', { timeout: 20_000 }).catch(async (error: unknown) => {
      throw new Error(`the page says "${await page.textContent('#status')}"; ${(await problems()).join('; ')}`, { cause: error });
    });
    // The welcome notification, read over fetch from the same origin.
    await page.waitForSelector('#notifications li', { timeout: 10_000 });
    expect(await problems()).to.deep.equal([]);
  });

  it('a script the page did not come with is blocked, and seen as a violation (the watch works)', async () => {
    const { page, problems } = await watchedPage(context);
    await page.goto(`${running.base}/live`);
    await page.evaluate(`{
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.head.append(script);
    }`);
    await page.waitForFunction('window.cspViolations.length > 0', undefined, { timeout: 5_000 });
    expect(await page.evaluate("'injected' in window")).to.equal(false);
    expect((await problems()).join('\n')).to.contain('script-src');
  });
});
