import type { Middleware } from 'koa';
import { StatementTimeoutError } from 'slonik';
import { EventStoreUnavailableError, InvalidEventError, InvalidStreamNameError, StreamDeletedError } from '../eventStore/errors.ts';
import { isDatabaseUnreachable } from '../postgres/unreachable.ts';
import type { RequestState } from './requestContext.ts';
import { badRequest, conflict, HttpProblem, notFound, payloadTooLarge, serviceUnavailable, unsupportedMediaType } from './problem.ts';

/**
 * The one place errors become responses: every error, whoever threw it, leaves as problem+json. An
 * error we did not foresee is logged with its stack and answered 500 without internals. A 5xx given
 * on purpose (a read-your-writes wait that ran out, a query cancelled at its timeout) is logged at
 * the problem's own severity, so that the error log holds only what is ours to fix.
 */
export const errorHandler = (): Middleware<RequestState> => async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw notFound(`No route for ${ctx.method} ${ctx.path}`);
  } catch (error) {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      const log = ctx.state.log;
      if (problem.severity === 'error') log.error({ err: error }, 'request failed');
      else if (problem.severity === 'warn') log.warn({ status: problem.status, detail: problem.detail }, 'request refused');
      else log.info({ status: problem.status, detail: problem.detail }, 'request answered with retry');
    }
    ctx.status = problem.status;
    ctx.set(problem.headers);
    ctx.type = 'application/problem+json';
    ctx.body = problem.toJSON();
  }
};

/** A restarted PostgreSQL takes a few seconds to accept connections again. */
const databaseRetryAfterSeconds = 2;

/** The problem an error is answered with (exported for its unit spec). */
export const toProblem = (error: unknown): HttpProblem => {
  if (error instanceof HttpProblem) return error;
  // EventStoreDB down or between leaders: nothing was written, and a retry shortly may well land.
  if (error instanceof EventStoreUnavailableError)
    return serviceUnavailable('The event store cannot be reached; nothing was changed. Retry shortly', error.retryAfterSeconds, 'warn');
  if (error instanceof StreamDeletedError) return conflict('This resource was deleted for good and takes no more changes');
  if (error instanceof InvalidEventError) return badRequest(error.message);
  if (error instanceof InvalidStreamNameError) return badRequest(error.message);
  if (error instanceof StatementTimeoutError)
    return serviceUnavailable('The query took too long and was cancelled; retry shortly', 1, 'warn');
  // PostgreSQL restarting, failing over or out of reach: the pools reconnect by themselves once it is
  // back. A connection cut during a commit leaves its outcome unknown, so a command is not said to
  // have changed nothing: a retry with the same Idempotency-Key is safe either way.
  if (isDatabaseUnreachable(error))
    return serviceUnavailable(
      'The database cannot be reached; retry shortly (a command may or may not have been applied: retry it with the same Idempotency-Key)',
      databaseRetryAfterSeconds,
      'warn',
    );
  const status = statusOf(error);
  if (status === 413) return payloadTooLarge('The request body is larger than the limit of 1 MiB');
  if (status === 415) return unsupportedMediaType('Send the body as application/json');
  if (status === 400 && isParseFailure(error)) return badRequest('The request body is not valid JSON');
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpProblem(status, 'Request error', error instanceof Error ? error.message : 'Bad request');
  }
  return new HttpProblem(500, 'Internal server error', 'Something went wrong on our side; it has been logged');
};

const statusOf = (error: unknown): number | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = 'status' in error ? error.status : 'statusCode' in error ? error.statusCode : undefined;
  return typeof status === 'number' ? status : undefined;
};

const isParseFailure = (error: unknown): boolean =>
  error instanceof SyntaxError || (typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.parse.failed');
