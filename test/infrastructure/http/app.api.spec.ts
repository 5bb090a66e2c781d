import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { expect } from 'chai';
import { createHttpApp } from '../../../src/infrastructure/http/app.ts';
import { operationsRoutes } from '../../../src/infrastructure/http/health.ts';
import { listen, type RunningServer } from '../../../src/infrastructure/http/server.ts';
import { createMetrics } from '../../../src/infrastructure/metrics/metrics.ts';
import { capturingLogger } from '../../support/logCapture.ts';

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
    test.get('/boom', () => {
      throw new Error('secret internals');
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
