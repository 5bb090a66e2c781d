import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Context } from 'koa';
import { fieldErrors } from '../infrastructure/codecs/decodeErrors.ts';
import { integerInRange } from '../infrastructure/codecs/fromQueryString.ts';
import { strictPartial } from '../infrastructure/codecs/strict.ts';
import { badRequest, invalidFields } from '../infrastructure/http/problem.ts';
import { maxPosition, parseLogPoint, type LogPoint } from './point.ts';

// Query parameters of the audit routes, decoded as every list's are: `limit` 1–100 (default 20) and
// an opaque `cursor`, each route's own besides; 400 naming every bad or unknown parameter.

export const defaultLimit = 20;
const page = { limit: integerInRange(1, 100), cursor: t.string };

export const StreamQuery = strictPartial(page, 'StreamQuery');
export const StateQuery = strictPartial({ at: t.string }, 'StateQuery');
export const ActorQuery = strictPartial({ ...page, from: t.string, to: t.string }, 'ActorQuery');
export const VerifyQuery = strictPartial({ stream: t.string }, 'VerifyQuery');

export const decodeQuery = <A>(codec: t.Type<A, unknown, unknown>, ctx: Context): A => {
  const decoded = codec.decode({ ...ctx.query });
  if (E.isLeft(decoded)) throw invalidFields(fieldErrors(decoded.left));
  return decoded.right;
};

export const pointParam = (name: string, value: string | undefined): LogPoint | undefined => {
  if (value === undefined) return undefined;
  const point = parseLogPoint(value);
  if (typeof point === 'string') throw invalidFields([{ path: name, message: point }]);
  return point;
};

/** A cursor carries one bigint (a revision or a position), opaque to clients. */
export const encodeCursor = (key: bigint): string => Buffer.from(JSON.stringify([key.toString()])).toString('base64url');

export const decodeCursor = (cursor: string | undefined): bigint | undefined => {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const list: unknown[] = Array.isArray(parsed) ? parsed : [];
    const key = list[0];
    if (typeof key === 'string' && /^\d{1,19}$/.test(key) && BigInt(key) <= maxPosition) return BigInt(key);
  } catch {
    // Not base64url JSON: answered below as any other foreign cursor.
  }
  throw badRequest('The cursor is not one this list gave out');
};

/** Ids as the service makes them (uuids; `system`): anything else cannot be in the log, and may not be sendable to it. */
export const idParam = (name: string, value: string | undefined): string => {
  if (value === undefined || !/^[A-Za-z0-9._:@+=-]{1,200}$/.test(value)) {
    throw invalidFields([{ path: name, message: 'is not an id: letters, digits and ._:@+=- only, at most 200' }]);
  }
  return value;
};
