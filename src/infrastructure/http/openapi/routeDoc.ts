import type * as t from 'io-ts';
import type { Middleware } from 'koa';

// What a route says about itself for the OpenAPI document, declared beside the route as the first of
// its middleware: `router.put('/movies/:id/rating', documented({...}), guard, handler)`. It does
// nothing when a request passes; the generator (document.ts) finds it on the router's layer.

/** Headers a route reads that mean something (DESIGN.md: write guarantees, read-your-writes). */
export type RequestHeader = 'If-Match' | 'Idempotency-Key' | 'X-Min-Position';

export interface Answer {
  readonly description: string;
  /** The body's codec (none: the answer has no body, or one that is not JSON). */
  readonly body?: t.Any;
  readonly example?: unknown;
  /** `application/json` unless said; several for an answer in any of them. */
  readonly type?: string | readonly string[];
}

export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Who may call it: a signed-in user, or one with the admin role; anyone when absent. */
  readonly auth?: 'user' | 'admin';
  /** Codecs of the path's `:parameters`; a parameter not named here is text. */
  readonly params?: Readonly<Record<string, t.Any>>;
  /** The query string's codec: an object whose keys are the parameters. */
  readonly query?: t.Any;
  /** Example values of query parameters, where the route needs some to answer. */
  readonly queryExample?: Readonly<Record<string, string>>;
  readonly headers?: readonly RequestHeader[];
  /** A JSON body; `optional` when the route runs without one. */
  readonly body?: { readonly codec: t.Any; readonly example: unknown; readonly optional?: boolean };
  /** A form body, for the one route that takes one (requestBody.ts's `acceptsFormBody`). */
  readonly form?: { readonly codec: t.Any; readonly example: unknown };
  /** Answers that are not problems, by status. */
  readonly answers: Readonly<Record<number, Answer>>;
  /** Statuses answered with problem+json, and when; those every route of its kind gives are added (document.ts). */
  readonly problems?: Readonly<Record<number, string>>;
}

const docs = new WeakMap<object, RouteDoc>();

/** A middleware that passes every request on and carries the route's description. */
export const documented = (doc: RouteDoc): Middleware => {
  const marker: Middleware = (_ctx, next) => next();
  docs.set(marker, doc);
  return marker;
};

/** The description a route's middleware carries, if this one is its marker. */
export const docOf = (middleware: object): RouteDoc | undefined => docs.get(middleware);
