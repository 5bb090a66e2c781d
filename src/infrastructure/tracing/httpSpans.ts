import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import type { RequestState } from '../http/requestContext.ts';
import { correlationIdAttribute, tracer } from './tracer.ts';

/**
 * A server span per request, named by the route's template (`PUT /movies/:id/rating`: the raw path
 * would make a span name per movie), continuing a caller's `traceparent` when it sent one, with the
 * request id as the correlation id. Every span the request causes (command, append) is its child.
 */
export const httpSpans = (): Middleware<RequestState> => async (ctx, next) => {
  const parent = propagation.extract(context.active(), ctx.headers);
  await tracer().startActiveSpan(
    `${ctx.method} unmatched`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': ctx.method, [correlationIdAttribute]: ctx.state.requestId },
    },
    parent,
    async (span) => {
      try {
        await next();
      } finally {
        if (span.isRecording()) {
          const route: unknown = ctx._matchedRoute;
          if (typeof route === 'string') {
            span.updateName(`${ctx.method} ${route}`);
            span.setAttribute('http.route', route);
          }
          span.setAttribute('http.response.status_code', ctx.status);
          const userId = userIdOf(ctx.state);
          if (userId !== undefined) span.setAttribute('enduser.id', userId);
          // Server spans are errors for 5xx only: a 4xx is the client's mistake, answered as designed.
          if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }
    },
  );
};

/** The authenticated user (guards.ts puts the token's claims in `state.user`), if any. */
const userIdOf = (state: object): string | undefined => {
  const user: unknown = 'user' in state ? state.user : undefined;
  return typeof user === 'object' && user !== null && 'sub' in user && typeof user.sub === 'string' ? user.sub : undefined;
};
