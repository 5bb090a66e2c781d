import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logging/logger.ts';

/** What every request carries in `ctx.state`. */
export interface RequestState {
  readonly requestId: string;
  /** Logs with `req_id` on every line. */
  readonly log: Logger;
  /** The template of the route that answers (`/movies/:id/rating`), once the route table has found it. */
  route?: string;
}

// Accept a caller's id (a load balancer's, a client's) when it is a sane token; otherwise make one.
const acceptableId = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestContext =
  (log: Logger): Middleware<RequestState> =>
  async (ctx, next) => {
    const offered = ctx.get('X-Request-Id');
    const requestId = acceptableId.test(offered) ? offered : randomUUID();
    // A "simple" child only adds fields: much cheaper, and it is made for every request.
    const requestLog = log.child({ req_id: requestId }, true);
    Object.assign(ctx.state, { requestId, log: requestLog });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The route's template (`/movies/:id/rating`) groups a route's requests, which its URLs do not;
      // the user is the one a guard let through (none before a guard ran, or on public routes).
      const route = ctx.state.route;
      const userId = userIdOf(ctx.state);
      requestLog.info(
        {
          method: ctx.method,
          url: ctx.url,
          ...(route === undefined ? {} : { route }),
          ...(userId === undefined ? {} : { userId }),
          status: ctx.status,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    }
  };

/** The `sub` of the access token a guard verified (auth/guards.ts puts its claims at `state.user`). */
const userIdOf = (state: object): string | undefined =>
  'user' in state && typeof state.user === 'object' && state.user !== null && 'sub' in state.user && typeof state.user.sub === 'string'
    ? state.user.sub
    : undefined;
