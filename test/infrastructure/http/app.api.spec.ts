import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import Router from '@koa/router';
import { expect } from 'chai';
import { StatementTimeoutError } from 'slonik';
import { createHttpApp } from '../../../src/infrastructure/http/app.ts';
import { operationsRoutes } from '../../../src/infrastructure/http/health.ts';
import { invalidFields, serviceUnavailable } from '../../../src/infrastructure/http/problem.ts';
import { acceptsFormBody } from '../../../src/infrastructure/http/requestBody.ts';
import { listen, type RunningServer } from '../../../src/infrastructure/http/server.ts';
import { createMetrics } from '../../../src/infrastructure/metrics/metrics.ts';
import { capturingLogger } from '../../support/logCapture.ts';
import { rawRequest } from './rawRequest.ts';

describe('the HTTP server', () => {
  const { log, records } = capturingLogger();
  let redisUp = true;
  let server: RunningServer;
  let base: string;
  let release: (() => void) | undefined;

  before(async () => {
    const test = new Router();
    test.post('/echo', (ctx) => {
      ctx.body = { received: ctx.request.body };
    });
    test.post('/form', acceptsFormBody, (ctx) => {
      ctx.body = { received: ctx.request.body };
    });
    test.get('/boom', () => {
      throw new Error('secret internals');
    });
    test.get('/behind', () => {
      throw serviceUnavailable('The read models have not caught up yet; retry shortly', 1);
    });
    test.get('/cancelled', () => {
      throw new StatementTimeoutError(new Error('canceling statement due to statement timeout'));
    });
    test.post('/fields', () => {
      throw invalidFields(Array.from({ length: 25 }, (_, index) => ({ path: `k${index}`, message: 'is not a known field' })));
    });
    test.get('/slow', async (ctx) => {
      await new Promise<void>((resolve) => (release = resolve));
      ctx.body = { finished: true };
    });
    const checks = [
      { name: 'postgres', check: () => Promise.resolve() },
      { name: 'redis', check: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('connection refused'))) },
    ];
    const metrics = createMetrics();
    server = await listen(createHttpApp({ log, metrics, routers: [operationsRoutes(checks, metrics), test] }), {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 5_000,
      log,
    });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await server.close();
  });

  describe('health', () => {
    it('answers /healthz while the process runs', async () => {
      const response = await fetch(`${base}/healthz`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ status: 'ok' });
    });

    it('answers /readyz with every check when all pass', async () => {
      redisUp = true;
      const response = await fetch(`${base}/readyz`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    });

    it('answers /readyz with 503 naming the dependency that fails', async () => {
      redisUp = false;
      const response = await fetch(`${base}/readyz`);
      expect(response.status).to.equal(503);
      expect(response.headers.get('content-type')).to.match(/application\/problem\+json/);
      const problem = (await response.json()) as { detail: string; status: number };
      expect(problem.status).to.equal(503);
      expect(problem.detail).to.match(/redis \(connection refused\)/);
      expect(problem.detail).not.to.match(/postgres/);
      redisUp = true;
    });
  });

  describe('metrics', () => {
    it('exposes default metrics and request durations by route template and status', async () => {
      await fetch(`${base}/healthz`);
      await fetch(`${base}/nowhere/123`);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).to.match(/fastflix_process_cpu_user_seconds_total/);
      expect(text).to.match(/fastflix_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
      expect(text).to.match(/fastflix_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} \d+/);
    });
  });

  describe('request ids', () => {
    it('accepts X-Request-Id, returns it, and logs it on the request line', async () => {
      const response = await fetch(`${base}/healthz`, { headers: { 'X-Request-Id': 'abc-123' } });
      expect(response.headers.get('x-request-id')).to.equal('abc-123');
      expect(records.some((record) => record.req_id === 'abc-123' && record.url === '/healthz' && record.status === 200)).to.equal(true);
    });

    it('makes one when none (or a hostile one) is sent', async () => {
      const response = await fetch(`${base}/healthz`, { headers: { 'X-Request-Id': 'x'.repeat(500) } });
      expect(response.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });
  });

  describe('errors as problem+json', () => {
    it('answers an unknown route with 404', async () => {
      const response = await fetch(`${base}/nowhere`);
      expect(response.status).to.equal(404);
      expect(response.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(await response.json()).to.include({ status: 404, title: 'Not found' });
    });

    it('answers malformed JSON with 400', async () => {
      const response = await fetch(`${base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title": ' });
      expect(response.status).to.equal(400);
      expect(await response.json()).to.include({ status: 400, detail: 'The request body is not valid JSON' });
    });

    it('answers a body over 1 MB with 413', async () => {
      const body = JSON.stringify({ blob: 'x'.repeat(1_100_000) });
      const response = await fetch(`${base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(response.status).to.equal(413);
      expect(await response.json()).to.include({ status: 413, title: 'Payload too large' });
    });

    it('accepts a body just under the limit', async () => {
      const body = JSON.stringify({ blob: 'x'.repeat(1_000_000) });
      const response = await fetch(`${base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(response.status).to.equal(200);
    });

    it('answers the unforeseen with 500, logging the error but not revealing it', async () => {
      const response = await fetch(`${base}/boom`, { headers: { 'X-Request-Id': 'boom-1' } });
      expect(response.status).to.equal(500);
      const text = await response.text();
      expect(text).not.to.match(/secret internals|at /);
      expect(records.some((record) => record.req_id === 'boom-1' && record.level === 50)).to.equal(true);
    });
  });

  describe('methods the routes do not take', () => {
    for (const method of ['TRACE', 'PROPFIND', 'PUT']) {
      it(`answers ${method} on a known path with 405 and Allow, as problem+json`, async () => {
        const reply = await rawRequest(base, { method, path: '/echo' });
        expect(reply.status).to.equal(405);
        expect(reply.headers.allow).to.equal('POST, OPTIONS');
        expect(reply.headers['content-type']).to.match(/application\/problem\+json/);
        expect(JSON.parse(reply.text)).to.include({ status: 405, title: 'Method not allowed' });
      });
    }

    it('answers an unknown method on an unknown path with 404', async () => {
      const reply = await rawRequest(base, { method: 'PROPFIND', path: '/nowhere' });
      expect(reply.status).to.equal(404);
    });

    it('answers OPTIONS with Allow and no body', async () => {
      const reply = await rawRequest(base, { method: 'OPTIONS', path: '/healthz' });
      expect(reply.status).to.equal(204);
      expect(reply.headers.allow).to.equal('HEAD, GET, OPTIONS');
    });

    it('logs none of them as an error', async () => {
      await rawRequest(base, { method: 'TRACE', path: '/echo', headers: { 'X-Request-Id': 'trace-1' } });
      expect(records.some((record) => record.req_id === 'trace-1' && record.status === 405)).to.equal(true);
      expect(records.some((record) => record.req_id === 'trace-1' && Number(record.level) >= 40)).to.equal(false);
    });
  });

  describe('request bodies', () => {
    const post = (path: string, headers: Record<string, string>, body: string | Uint8Array) =>
      rawRequest(base, { method: 'POST', path, headers, body });
    const json = { 'Content-Type': 'application/json' };

    it('refuses a text/plain body with 415 rather than running on defaults', async () => {
      const reply = await post('/echo', { 'Content-Type': 'text/plain' }, 'hello');
      expect(reply.status).to.equal(415);
      expect(JSON.parse(reply.text)).to.include({ detail: 'Send the body as application/json' });
    });

    it('refuses a body without a Content-Type with 415', async () => {
      expect((await post('/echo', {}, '{"a":1}')).status).to.equal(415);
    });

    it('refuses a form where the route does not take one', async () => {
      expect((await post('/echo', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=1')).status).to.equal(415);
    });

    it('reads a form where the route takes one, a repeated field as an array', async () => {
      const reply = await post('/form', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=1&b=2&b=3');
      expect(reply.status).to.equal(200);
      expect(JSON.parse(reply.text)).to.deep.equal({ received: { a: '1', b: ['2', '3'] } });
    });

    it('still takes JSON where a form is taken', async () => {
      expect(JSON.parse((await post('/form', json, '{"a":1}')).text)).to.deep.equal({ received: { a: 1 } });
    });

    it('refuses a charset other than UTF-8 with 415, and bytes that are not UTF-8 with 400', async () => {
      expect((await post('/echo', { 'Content-Type': 'application/json; charset=latin1' }, '{}')).status).to.equal(415);
      expect((await post('/echo', json, Buffer.from([0x7b, 0xff, 0x7d]))).status).to.equal(400);
    });

    it('reads gzip and brotli bodies', async () => {
      const gzip = await post('/echo', { ...json, 'Content-Encoding': 'gzip' }, gzipSync('{"a":1}'));
      expect(JSON.parse(gzip.text)).to.deep.equal({ received: { a: 1 } });
      const br = await post('/echo', { ...json, 'Content-Encoding': 'br' }, brotliCompressSync('{"a":2}'));
      expect(JSON.parse(br.text)).to.deep.equal({ received: { a: 2 } });
    });

    it('answers a body that is not what its Content-Encoding says with 400', async () => {
      const reply = await post('/echo', { ...json, 'Content-Encoding': 'gzip', 'X-Request-Id': 'gzip-1' }, '{"a":1}');
      expect(reply.status).to.equal(400);
      expect(JSON.parse(reply.text)).to.include({ detail: 'The request body is not valid gzip data' });
      expect((await post('/echo', { ...json, 'Content-Encoding': 'gzip' }, gzipSync('{"a":1}').subarray(0, 12))).status).to.equal(400);
      expect(records.some((record) => record.req_id === 'gzip-1' && Number(record.level) >= 40)).to.equal(false);
    });

    it('answers an unknown Content-Encoding with 415 and Accept-Encoding', async () => {
      const reply = await post('/echo', { ...json, 'Content-Encoding': 'compress' }, '{"a":1}');
      expect(reply.status).to.equal(415);
      expect(reply.headers['accept-encoding']).to.equal('gzip, deflate, br, identity');
    });

    it('stops inflating a gzip bomb at the limit: 413', async () => {
      const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 32));
      expect(bomb.length).to.be.below(20_000);
      expect((await post('/echo', { ...json, 'Content-Encoding': 'gzip' }, bomb)).status).to.equal(413);
    });

    it('refuses JSON nested deeper than 32 levels before parsing it, naming the limit', async () => {
      const nested = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
      expect((await post('/echo', json, nested(32))).status).to.equal(200);
      const reply = await post('/echo', { ...json, 'Idempotency-Key': 'deep' }, `{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`);
      expect(reply.status).to.equal(400);
      expect(JSON.parse(reply.text)).to.include({ detail: 'The request body nests deeper than 32 levels' });
      expect((await post('/echo', json, nested(33))).status).to.equal(400);
    });

    it('refuses an array of more than 1,000 items, naming the limit', async () => {
      expect((await post('/echo', json, JSON.stringify({ a: Array(1_000).fill(1) }))).status).to.equal(200);
      const reply = await post('/echo', json, JSON.stringify({ a: Array(1_001).fill(1) }));
      expect(reply.status).to.equal(400);
      expect(JSON.parse(reply.text)).to.include({ detail: 'The request body has an array of more than 1000 items' });
    });

    it('refuses a JSON body that is not an object', async () => {
      for (const body of ['[1]', '"text"', '42', 'null']) expect((await post('/echo', json, body)).status).to.equal(400);
    });

    it('lets a body be empty', async () => {
      expect(JSON.parse((await post('/echo', json, '')).text)).to.deep.equal({});
    });
  });

  describe('field errors', () => {
    it('lists the first 20 and counts the rest', async () => {
      const reply = await rawRequest(base, { method: 'POST', path: '/fields' });
      const problem = JSON.parse(reply.text) as { detail: string; errors: unknown[]; unlistedErrors: number };
      expect(problem.errors).to.have.length(20);
      expect(problem.unlistedErrors).to.equal(5);
      expect(problem.detail).to.equal(`25 fields are invalid: ${Array.from({ length: 20 }, (_, i) => `k${i}`).join(', ')} and 5 more`);
    });
  });

  describe('5xx given on purpose', () => {
    it('logs a read-your-writes wait that ran out at info, not error', async () => {
      const reply = await rawRequest(base, { method: 'GET', path: '/behind', headers: { 'X-Request-Id': 'behind-1' } });
      expect(reply.status).to.equal(503);
      expect(reply.headers['retry-after']).to.equal('1');
      const lines = records.filter((record) => record.req_id === 'behind-1');
      expect(lines.some((record) => record.level === 30 && record.status === 503 && record.msg === 'request answered with retry')).to.equal(
        true,
      );
      expect(lines.some((record) => Number(record.level) >= 40)).to.equal(false);
    });

    it('logs a query cancelled at its timeout as a warning', async () => {
      const reply = await rawRequest(base, { method: 'GET', path: '/cancelled', headers: { 'X-Request-Id': 'cancelled-1' } });
      expect(reply.status).to.equal(503);
      const lines = records.filter((record) => record.req_id === 'cancelled-1');
      expect(lines.some((record) => record.level === 40)).to.equal(true);
      expect(lines.some((record) => Number(record.level) >= 50)).to.equal(false);
    });
  });

  describe('graceful shutdown', () => {
    it('finishes the request in flight, then stops accepting', async () => {
      const inFlight = fetch(`${base}/slow`);
      while (release === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
      const closing = server.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const refused = await fetch(`${base}/healthz`).then(
        () => false,
        () => true,
      );
      release();
      const response = await inFlight;
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ finished: true });
      await closing;
      expect(refused).to.equal(true);
    });
  });
});
