import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { errorHandler } from './errorHandler.ts';
import { httpMetrics } from './httpMetrics.ts';
import { acceptsFormBody, requestBody } from './requestBody.ts';
import { requestContext, type RequestState } from './requestContext.ts';
import { routeTable } from './routeTable.ts';
import { httpSpans } from '../tracing/httpSpans.ts';

/**
 * The Koa application: request ids and logging outermost, then timing (so it sees the final status),
 * then the one error handler, then what no route should have to think about (an unknown path or
 * method, a body that is not what the route reads), then the routes.
 */
export const createHttpApp = (options: {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly routers: readonly Router[];
}): Koa<RequestState> => {
  const app = new Koa<RequestState>({ proxy: true });
  app.silent = true;
  const routes = routeTable(options.routers);
  app.use(requestContext(options.log));
  app.use(httpSpans());
  app.use(httpMetrics(options.metrics));
  app.use(errorHandler());
  app.use(routes.methods());
  app.use(requestBody({ formAllowed: (ctx) => routes.routeHas(ctx, acceptsFormBody) }));
  for (const router of options.routers) app.use(router.routes());
  return app;
};
