import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { errorHandler } from './errorHandler.ts';
import { httpMetrics } from './httpMetrics.ts';
import { requestContext, type RequestState } from './requestContext.ts';

export const bodyLimit = '1mb';

/**
 * The Koa application: request ids and logging outermost, then timing (so it sees the final status),
 * then the one error handler, then body parsing and the routes.
 */
export const createHttpApp = (options: {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly routers: readonly Router[];
}): Koa<RequestState> => {
  const app = new Koa<RequestState>({ proxy: true });
  app.silent = true;
  app.use(requestContext(options.log));
  app.use(httpMetrics(options.metrics));
  app.use(errorHandler());
  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: bodyLimit,
      formLimit: bodyLimit,
      // Arrays and scalars are not commands; reject them at the parser rather than in every codec.
      jsonStrict: true,
    }),
  );
  for (const router of options.routers) app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  return app;
};
