import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { HttpProblem, notFound } from './problem.ts';

/**
 * What the routers route, asked before a request goes further: an unknown path is 404 and a known
 * path asked with a method it does not take (TRACE, PROPFIND, PUT on a query) is 405 with `Allow`, both
 * before any body is read. The router's own `allowedMethods({ throw: true })` threw http-errors'
 * `NotImplementedError` (status 501) for methods outside its list, which the error handler, passing
 * only 4xx statuses through, answered as 500; and a 501 would count towards the paging 5xx alert for
 * what is a client's mistake.
 */
export const routeTable = (routers: readonly Router[]) => {
  const layersFor = (ctx: Context) => routers.map((router) => router.match(ctx.path, ctx.method));
  return {
    /** Answers 404, 405 or OPTIONS itself; passes on only what a route will handle. */
    methods: (): Middleware => async (ctx, next) => {
      const matches = layersFor(ctx);
      if (matches.some((match) => match.route)) {
        // The first route layer that matches is the one that answers (handlers do not pass on).
        const template = matches.flatMap((match) => match.pathAndMethod).find((layer) => layer.methods.length > 0)?.path;
        if (typeof template === 'string') ctx.state.route = template;
        await next();
        return;
      }
      const allowed = [...new Set(matches.flatMap((match) => match.path.flatMap((layer) => layer.methods)))];
      if (allowed.length === 0) throw notFound(`No route for ${ctx.method} ${ctx.path}`);
      const allow = [...allowed, 'OPTIONS'].join(', ');
      if (ctx.method === 'OPTIONS') {
        ctx.set('Allow', allow);
        ctx.status = 204;
        return;
      }
      throw new HttpProblem(405, 'Method not allowed', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${allow}`, [], {
        Allow: allow,
      });
    },
    /** Whether the route this request goes to has `marker` among its middleware. */
    routeHas: (ctx: Context, marker: Middleware): boolean =>
      layersFor(ctx).some((match) => match.pathAndMethod.some((layer) => layer.methods.length > 0 && layer.stack.includes(marker))),
  };
};

/** One route as its router holds it: `GET /movies/:idOrSlug`. */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/** Every route of the routers, HEAD left out (a GET route answers it), read from the routers themselves. */
export const routesOf = (routers: readonly Router[]): RouteEntry[] =>
  routers.flatMap((router) =>
    router.stack.flatMap(({ path, methods }) =>
      typeof path === 'string' ? methods.filter((method) => method !== 'HEAD').map((method) => ({ method, path })) : [],
    ),
  );
