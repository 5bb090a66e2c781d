import Router from '@koa/router';
import { createHttpApp } from '../../src/infrastructure/http/app.ts';
import { listen } from '../../src/infrastructure/http/server.ts';
import { createLogger } from '../../src/infrastructure/logging/logger.ts';
import { createMetrics } from '../../src/infrastructure/metrics/metrics.ts';

// The ceiling for the HTTP benchmarks: the service's own Koa stack (request ids, logging, metrics,
// the error handler, body parsing) answering a constant, in a process of its own like the service.

const router = new Router();
router.put('/constant/:id', (ctx) => {
  ctx.body = { position: '1' };
});
router.get('/constant/:id', (ctx) => {
  ctx.body = { id: ctx.params.id, title: 'Heat', year: 1995 };
});
const log = createLogger('warn', 'fastflix-constant');
const server = await listen(createHttpApp({ log, metrics: createMetrics(), routers: [router] }), {
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  shutdownTimeoutMs: 1_000,
  log,
});
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
