import type { RouterContext } from '@koa/router';
import type { Context } from 'koa';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { v5 as uuidv5 } from 'uuid';
import type { EventMetadata, Position } from '../../infrastructure/eventStore/eventStore.ts';
import { fieldErrors } from '../../infrastructure/codecs/decodeErrors.ts';
import { badRequest, conflict, invalidFields, preconditionFailed, type HttpProblem } from '../../infrastructure/http/problem.ts';
import type { AuthenticatedState } from '../../infrastructure/auth/guards.ts';
import type { RequestState } from '../../infrastructure/http/requestContext.ts';
import type { CommandFailure, CommandSuccess, Revision } from './handleCommand.ts';

// What command routes share: decoding the body, the metadata of the events, If-Match, and the
// response every command gives (`position` in the body and in X-Event-Position).

/**
 * What command routes keep on `ctx.state`; `loginFailed` tells the login limiter a password was wrong;
 * `idempotentRequest` names a request with an Idempotency-Key: its caller, its key and when the key
 * was first stored (idempotency.ts).
 */
export type CommandState = RequestState & AuthenticatedState & { idempotentRequest?: string; loginFailed?: boolean };
/** A command route's context: our state, and the router's path parameters. */
export type CommandContext = RouterContext<CommandState>;

/** The request body through an exact codec: 400 naming every bad field, unknown ones included. */
export const decodeBody = <A>(codec: t.Type<A, unknown, unknown>, ctx: Context): A => {
  const body: unknown = ctx.request.body;
  const decoded = codec.decode(body ?? {});
  if (E.isLeft(decoded)) throw invalidFields(fieldErrors(decoded.left));
  return decoded.right;
};

/** A path parameter through its codec: a malformed id can never name anything, so 404 rather than 400. */
export const decodeParam = <A>(codec: t.Type<A, unknown, unknown>, value: unknown, notFound: () => HttpProblem): A => {
  const decoded = codec.decode(value);
  if (E.isLeft(decoded)) throw notFound();
  return decoded.right;
};

export const eventMetadata = (ctx: CommandContext, now: Date): EventMetadata => ({
  occurredAt: now.toISOString(),
  actorId: ctx.state.user?.sub ?? null,
  correlationId: ctx.state.requestId,
  causationId: null,
});

/** `If-Match: "3"` (or 3): the stream revision the client acted on; `"none"` for a stream not yet created. */
export const ifMatch = (ctx: Context): Revision | undefined => {
  const header = ctx.get('If-Match').trim();
  if (header === '') return undefined;
  const match = /^(?:W\/)?"?(\d{1,18}|none)"?$/.exec(header);
  if (match?.[1] === undefined) throw badRequest('If-Match must be a stream revision such as "3" (or "none")');
  return match[1] === 'none' ? 'no_stream' : BigInt(match[1]);
};

const namespace = 'a3d4f5e6-7b8c-4d9e-8f01-23456789abcd';

/**
 * With an Idempotency-Key, the events of a request get ids derived from the key, its caller, when the
 * key was stored, and the stream: should the first attempt have been appended before the client lost
 * the answer, the retry appends the very same events, which the store recognises as already there;
 * once the key has expired and is used again, its events are new ones. Without one: undefined,
 * and the store gives the events random ids (and the command may decide on a remembered stream state,
 * as there is nothing to look up in the stream).
 */
export const eventIdsFor = (ctx: CommandContext, stream: string): ((count: number) => readonly string[]) | undefined => {
  const request = ctx.state.idempotentRequest;
  if (request === undefined) return undefined;
  return (count) => Array.from({ length: count }, (_, index) => uuidv5(`${request}\n${stream}\n${index}`, namespace));
};

export const positionText = (position: Position | null): string => (position ?? 0n).toString();

/** A command's answer: `{ position, ...ids }`, X-Event-Position, and the stream revision as ETag. */
export const respond = (ctx: Context, success: CommandSuccess<unknown>, body: Record<string, unknown> = {}, status = 200): void => {
  const position = positionText(success.position);
  ctx.status = status;
  ctx.set('X-Event-Position', position);
  ctx.set('ETag', `"${success.revision === 'no_stream' ? 'none' : success.revision.toString()}"`);
  ctx.body = { ...body, position };
};

/** Turns a failed command into its problem: stale If-Match 412, lost races 409, domain errors as mapped. */
export const failure = <Error>(result: CommandFailure<Error>, rejected: (error: Error) => HttpProblem): HttpProblem => {
  switch (result.kind) {
    case 'stale':
      return preconditionFailed(
        `The resource has changed: it is at revision ${result.actual === 'no_stream' ? 'none' : result.actual.toString()}, not the one in If-Match`,
      );
    case 'conflict':
      return conflict('Other changes to the same resource kept winning; nothing was changed. Retry the request.');
    case 'rejected':
      return rejected(result.error);
  }
};
