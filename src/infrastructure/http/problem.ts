import type { FieldError } from '../codecs/decodeErrors.ts';
import type { ProblemBody } from './problemBody.ts';

/**
 * How the error handler logs a problem: `error` is a failure of ours (it pages); `warn` is the service
 * protecting itself (a query cancelled at its timeout); `info` is an answer given on purpose that the
 * client is told to retry (a read-your-writes wait that ran out, not ready yet); 4xx are not logged.
 */
export type ProblemSeverity = 'info' | 'warn' | 'error';

/**
 * An HTTP error answered as application/problem+json (RFC 9457). Handlers throw these (or return
 * results that routes turn into these); the error middleware writes them.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
    readonly severity: ProblemSeverity = 'error',
    /** Field errors beyond those listed in `errors`. */
    readonly unlistedErrors = 0,
  ) {
    super(detail);
  }

  get type(): string {
    return `https://fastflix.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }

  toJSON(): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
      ...(this.unlistedErrors > 0 ? { unlistedErrors: this.unlistedErrors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors: readonly FieldError[] = []): HttpProblem =>
  new HttpProblem(400, 'Invalid request', detail, errors);

/** How many field errors an answer lists: enough to fix a form, not a 5 MB echo of 90,000 unknown keys. */
export const listedFieldErrors = 20;

export const invalidFields = (errors: readonly FieldError[]): HttpProblem => {
  const listed = errors.slice(0, listedFieldErrors);
  const unlisted = errors.length - listed.length;
  const names = listed.map((e) => e.path || '(body)').join(', ');
  return new HttpProblem(
    400,
    'Invalid request',
    `${errors.length === 1 ? 'One field is' : `${errors.length} fields are`} invalid: ${names}${unlisted > 0 ? ` and ${unlisted} more` : ''}`,
    listed,
    {},
    'error',
    unlisted,
  );
};

export const unauthorized = (detail: string): HttpProblem =>
  new HttpProblem(401, 'Unauthorized', detail, [], { 'WWW-Authenticate': 'Bearer' });

export const forbidden = (detail: string): HttpProblem => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string): HttpProblem => new HttpProblem(404, 'Not found', detail);
export const conflict = (detail: string): HttpProblem => new HttpProblem(409, 'Conflict', detail);
export const preconditionFailed = (detail: string): HttpProblem => new HttpProblem(412, 'Precondition failed', detail);
export const payloadTooLarge = (detail: string): HttpProblem => new HttpProblem(413, 'Payload too large', detail);
export const unsupportedMediaType = (detail: string): HttpProblem => new HttpProblem(415, 'Unsupported media type', detail);

export const tooManyRequests = (retryAfterSeconds: number): HttpProblem =>
  new HttpProblem(429, 'Too many requests', `Rate limit exceeded; retry in ${retryAfterSeconds} s`, [], {
    'Retry-After': String(retryAfterSeconds),
  });

/**
 * An answer given on purpose (logged at `info` unless said otherwise): the client may retry, after
 * `Retry-After` when given. Not a failure of ours, so it is no error in the log.
 */
export const serviceUnavailable = (detail: string, retryAfterSeconds?: number, severity: ProblemSeverity = 'info'): HttpProblem =>
  new HttpProblem(
    503,
    'Service unavailable',
    detail,
    [],
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
    severity,
  );
