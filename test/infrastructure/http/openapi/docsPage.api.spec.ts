import { expect } from 'chai';
import { client, type Client } from '../../../support/http.ts';
import { register } from '../../../support/scenario.ts';
import { startTestService, type TestService } from '../../../support/testService.ts';

// GET /docs over HTTP: the page, every file it loads served from the swagger-ui-dist package, no
// inline script (a strict CSP forbids them), and Authorize as Swagger UI performs it.

describe('GET /docs', function () {
  this.timeout(60_000);
  let running: TestService;
  let api: Client;
  let page: string;

  before(async () => {
    running = await startTestService();
    api = client(running.base);
    const reply = await fetch(`${running.base}/docs`);
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.match(/^text\/html/);
    page = await reply.text();
  });
  after(async () => {
    await running.stop();
  });

  it('loads Swagger UI from files of its own: no inline script, no inline handler, nothing from another origin', () => {
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((script) => /\bsrc="\/docs\/[^"]+"/.test(script[1] ?? ''))).to.deep.equal([true, true, true]);
    expect(scripts.map((script) => (script[2] ?? '').trim())).to.deep.equal(['', '', '']);
    expect(page).not.to.match(/\son[a-z]+\s*=/i);
    expect(page).not.to.match(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('serves every file the page loads, from the package, with its type', async () => {
    const files = [...page.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((match) => match[1] ?? '');
    expect(files).to.include.members(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/swagger-initializer.js']);
    for (const file of files) {
      const reply = await fetch(`${running.base}${file}`);
      const type = file.endsWith('.js') ? /^text\/javascript/ : file.endsWith('.css') ? /^text\/css/ : /^image\/png/;
      expect(reply.status, file).to.equal(200);
      expect(reply.headers.get('content-type'), file).to.match(type);
      expect((await reply.arrayBuffer()).byteLength, file).to.be.above(100);
    }
    const bundle = await (await fetch(`${running.base}/docs/swagger-ui-bundle.js`)).text();
    expect(bundle).to.include('SwaggerUIBundle');
  });

  it("points the initializer at this service's document", async () => {
    const initializer = await (await fetch(`${running.base}/docs/swagger-initializer.js`)).text();
    expect(initializer).to.include("url: '/openapi.json'");
    expect((await api.get('/openapi.json')).status).to.equal(200);
  });

  it('serves no other file of the package, nor anything outside it', async () => {
    for (const path of [
      '/docs/index.html',
      '/docs/package.json',
      '/docs/..%2Fpackage.json',
      '/docs/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/docs/x/y',
      '/docs/valueOf',
      '/docs/constructor',
      '/docs/__proto__',
    ]) {
      const reply = await api.get(path);
      expect(reply.status, path).to.equal(404);
      expect(reply.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
    }
  });

  it('signs in with Authorize: the request Swagger UI sends to the tokenUrl answers a token that opens secured routes', async () => {
    const document = (
      await api.get<{ components: { securitySchemes: { OAuth2Password: { flows: { password: { tokenUrl: string } } } } } }>('/openapi.json')
    ).body;
    const tokenUrl = document.components.securitySchemes.OAuth2Password.flows.password.tokenUrl;
    const account = await register(api);
    // As swagger-ui 5's authorizePassword builds it, with the client id and secret left empty.
    const reply = await fetch(new URL(tokenUrl, running.base), {
      method: 'POST',
      headers: {
        Accept: 'application/json, text/plain, */*',
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Requested-With': 'XMLHttpRequest',
        Authorization: `Basic ${btoa('undefined:undefined')}`,
      },
      body: `grant_type=password&scope=&username=${encodeURIComponent(account.email)}&password=${encodeURIComponent(account.password)}`,
    });
    const token = (await reply.json()) as Record<string, unknown>;
    expect(reply.status).to.equal(200);
    expect(token.error).to.equal(undefined);
    expect(token.token_type).to.equal('Bearer');
    const me = await api.get('/me', { token: String(token.access_token) });
    expect(me.status).to.equal(200);
    expect(me.body.email).to.equal(account.email);
  });

  it('shows Authorize a wrong password as OAuth2 error it can read', async () => {
    const account = await register(api);
    const reply = await api.post('/auth/login', undefined, {
      form: { grant_type: 'password', scope: '', username: account.email, password: 'not the password' },
    });
    expect(reply.status).to.equal(400);
    expect(reply.body.error).to.equal('invalid_grant');
  });
});
