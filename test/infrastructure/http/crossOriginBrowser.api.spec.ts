import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { startTestService, type TestService } from '../../support/testService.ts';

// CORS as a browser enforces it: a page on another origin (a server of this spec's own, on
// localhost, while the API is on 127.0.0.1) calls the API with fetch. From an origin CORS_ORIGINS
// lists, the script signs up, signs in, sends its bearer token (a preflighted request) and reads the
// exposed headers; from any other origin the browser keeps every answer from the script.

const executablePath = '/usr/bin/chromium';

/** A blank page on an origin of its own. */
const startFrontEnd = async (): Promise<{ server: Server; origin: string }> => {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>front end</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
};

// The script the page runs (a string: this project compiles without the DOM's types).
const signUpAndRead = (api: string): string => `(async () => {
  const email = 'cors-' + Math.random().toString(36).slice(2) + '@fastflix.test';
  const json = { 'Content-Type': 'application/json' };
  const registered = await fetch('${api}/auth/register', { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'a long enough password', displayName: 'Cors' }) });
  const login = await fetch('${api}/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'a long enough password' }) });
  const { accessToken } = await login.json();
  const me = await fetch('${api}/me', { headers: { Authorization: 'Bearer ' + accessToken } });
  return {
    registered: registered.status,
    position: registered.headers.get('X-Event-Position'),
    me: me.status,
    email: (await me.json()).email === email,
    requestId: me.headers.get('X-Request-Id'),
    remaining: me.headers.get('RateLimit-Remaining'),
  };
})()`;

describe('CORS in a browser', function () {
  this.timeout(120_000);
  let running: TestService;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  before(async function () {
    if (!existsSync(executablePath)) {
      if (process.env.CI === 'true') throw new Error(`${executablePath} is missing: .ci/run installs Debian's chromium`);
      console.log(`      skipped: no ${executablePath} (apt-get install -y chromium)`);
      this.skip();
    }
    allowed = await startFrontEnd();
    other = await startFrontEnd();
    running = await startTestService({ CORS_ORIGINS: allowed.origin });
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    await running?.stop();
    allowed?.server.close();
    other?.server.close();
  });

  it('lets a page on a listed origin sign in, call with its token and read the exposed headers', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(allowed.origin);
      const result: unknown = await page.evaluate(signUpAndRead(running.base));
      expect(result).to.deep.include({ registered: 201, me: 200, email: true });
      expect(result).to.have.property('position').that.matches(/^\d+$/);
      expect(result).to.have.property('requestId').that.matches(/./);
      expect(result).to.have.property('remaining').that.matches(/^\d+$/);
    } finally {
      await page.close();
    }
  });

  it('keeps every answer from a page on another origin', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(other.origin);
      const outcome: unknown = await page.evaluate(`fetch('${running.base}/movies').then(() => 'read', (error) => error.name)`);
      expect(outcome).to.equal('TypeError');
    } finally {
      await page.close();
    }
  });
});
