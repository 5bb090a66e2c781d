import type { FieldError } from '../codecs/decodeErrors.ts';

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
  ) {
    super(detail);
  }

  get type(): string {
    return `https://fastflix.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors: readonly FieldError[] = []): HttpProblem =>
  new HttpProblem(400, 'Invalid request', detail, errors);

export const invalidFields = (errors: readonly FieldError[]): HttpProblem =>
  badRequest(
    `${errors.length === 1 ? 'One field is' : `${errors.length} fields are`} invalid: ${errors.map((e) => e.path || '(body)').join(', ')}`,
    errors,
  );

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

export const serviceUnavailable = (detail: string, retryAfterSeconds?: number): HttpProblem =>
  new HttpProblem(
    503,
    'Service unavailable',
    detail,
    [],
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
  );
