import type { Middleware } from 'koa';
import type { Metrics } from '../metrics/metrics.ts';

/**
 * Times every request, labelled by the route's template (`/movies/:id`, never the raw path, which
 * would make one series per movie) and the final status.
 */
export const httpMetrics =
  (metrics: Metrics): Middleware =>
  async (ctx, next) => {
    const stop = metrics.httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      const route: unknown = ctx._matchedRoute;
      stop({ method: ctx.method, route: typeof route === 'string' ? route : 'unmatched', status: String(ctx.status) });
    }
  };
