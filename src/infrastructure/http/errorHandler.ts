import type { Middleware } from 'koa';
import { StatementTimeoutError } from 'slonik';
import { InvalidEventError, InvalidStreamNameError } from '../eventStore/errors.ts';
import type { RequestState } from './requestContext.ts';
import { badRequest, HttpProblem, notFound, payloadTooLarge, serviceUnavailable, unsupportedMediaType } from './problem.ts';

/**
 * The one place errors become responses: every error, whoever threw it, leaves as problem+json. An
 * error we did not foresee is logged with its stack and answered 500 without internals.
 */
export const errorHandler = (): Middleware<RequestState> => async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw notFound(`No route for ${ctx.method} ${ctx.path}`);
  } catch (error) {
    const problem = toProblem(error);
    if (problem.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
    ctx.status = problem.status;
    ctx.set(problem.headers);
    ctx.type = 'application/problem+json';
    ctx.body = problem.toJSON();
  }
};

const toProblem = (error: unknown): HttpProblem => {
  if (error instanceof HttpProblem) return error;
  if (error instanceof InvalidEventError) return badRequest(error.message);
  if (error instanceof InvalidStreamNameError) return badRequest(error.message);
  if (error instanceof StatementTimeoutError) return serviceUnavailable('The query took too long and was cancelled; retry shortly', 1);
  const status = statusOf(error);
  if (status === 413) return payloadTooLarge('The request body is larger than the limit of 1 MB');
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
