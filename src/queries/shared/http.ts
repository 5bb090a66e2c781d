import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Context } from 'koa';
import { fieldErrors } from '../../infrastructure/codecs/decodeErrors.ts';
import { invalidFields } from '../../infrastructure/http/problem.ts';

/** The query string through an exact codec: 400 naming every bad parameter, unknown ones included. */
export const decodeQuery = <A>(codec: t.Type<A, unknown, unknown>, ctx: Context): A => {
  // A parameter given twice arrives as an array, which no codec here accepts: say so rather than pick one.
  const decoded = codec.decode({ ...ctx.query });
  if (E.isLeft(decoded)) throw invalidFields(fieldErrors(decoded.left));
  return decoded.right;
};
