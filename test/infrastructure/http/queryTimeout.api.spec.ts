import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { createHttpApp } from '../../../src/infrastructure/http/app.ts';
import { listen, type RunningServer } from '../../../src/infrastructure/http/server.ts';
import { createMetrics } from '../../../src/infrastructure/metrics/metrics.ts';
import { createQueryPool } from '../../../src/infrastructure/postgres/slonik.ts';
import { capturingLogger } from '../../support/logCapture.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgresServer.ts';

// QUERY_TIMEOUT: a read that runs too long is cancelled by PostgreSQL and answered 503, and the
// connection goes back to the pool for the next request.

describe('a query over the timeout', () => {
  const { log } = capturingLogger();
  let database: TestDatabase;
  let db: DatabasePool;
  let server: RunningServer;
  let base: string;

  before(async () => {
    database = await createTestDatabase();
    db = await createQueryPool(database.url, 1, 100);
    const routes = new Router();
    routes.get('/sleep/:seconds', async (ctx) => {
      ctx.body = {
        slept: await db.oneFirst(
          sql.type(z.object({ slept: z.boolean() }))`SELECT true AS slept FROM pg_sleep(${Number(ctx.params.seconds)})`,
        ),
      };
    });
    server = await listen(createHttpApp({ log, metrics: createMetrics(), routers: [routes] }), {
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 1_000,
      log,
    });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await server.close();
    await db.end();
    await database.drop();
  });

  it('is cancelled and answered 503 with Retry-After, and the pool serves the next query', async () => {
    const slow = await fetch(`${base}/sleep/5`);
    expect(slow.status).to.equal(503);
    expect(slow.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(slow.headers.get('retry-after')).to.equal('1');
    expect(((await slow.json()) as { detail: string }).detail).to.match(/took too long/);

    const quick = await fetch(`${base}/sleep/0`);
    expect(quick.status).to.equal(200);
    expect(await quick.json()).to.deep.equal({ slept: true });
  });
});
