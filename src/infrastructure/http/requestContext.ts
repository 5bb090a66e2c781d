import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logging/logger.ts';

/** What every request carries in `ctx.state`. */
export interface RequestState {
  readonly requestId: string;
  /** Logs with `req_id` on every line. */
  readonly log: Logger;
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
      requestLog.info({ method: ctx.method, url: ctx.url, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
