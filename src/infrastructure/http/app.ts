import type Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { errorHandler } from './errorHandler.ts';
import { httpMetrics } from './httpMetrics.ts';
import { acceptsFormBody, requestBody } from './requestBody.ts';
import { requestContext, type RequestState } from './requestContext.ts';
import { routeTable } from './routeTable.ts';
import { httpSpans } from '../tracing/httpSpans.ts';
import { crossOrigin, noStoreWhenAuthenticated, securityHeaders } from './securityHeaders.ts';

/**
 * The Koa application: request ids and logging outermost, then timing (so it sees the final status),
 * then the headers every answer carries (set before the route, so that an error answer keeps them),
 * then the one error handler, then what no route should have to think about (an unknown path or
 * method, a body that is not what the route reads), then the routes.
 */
export const createHttpApp = (options: {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly routers: readonly Router[];
  /** Proxies in front that append to X-Forwarded-For (TRUST_PROXY); with none, the address is the socket's. */
  readonly trustProxyHops?: number;
  /** The general rate limit, inside the error handler so that a 429 is problem+json too. */
  readonly limit?: Middleware;
  /** Origins whose scripts may call the API (CORS_ORIGINS); none by default. */
  readonly corsOrigins?: readonly string[];
}): Koa<RequestState> => {
  const hops = options.trustProxyHops ?? 0;
  // maxIpsCount: only the addresses our own proxies appended; what a client wrote in front is not trusted.
  const app = new Koa<RequestState>({ proxy: hops > 0, maxIpsCount: hops });
  app.silent = true;
  const routes = routeTable(options.routers);
  app.use(requestContext(options.log));
  app.use(httpSpans());
  app.use(httpMetrics(options.metrics));
  app.use(securityHeaders());
  app.use(crossOrigin(options.corsOrigins ?? []));
  app.use(noStoreWhenAuthenticated);
  app.use(errorHandler());
  if (options.limit !== undefined) app.use(options.limit);
  app.use(routes.methods());
  app.use(requestBody({ formAllowed: (ctx) => routes.routeHas(ctx, acceptsFormBody) }));
  for (const router of options.routers) app.use(router.routes());
  return app;
};
