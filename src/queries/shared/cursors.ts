import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { textCodec } from '../../domain/shared/text.ts';
import { invalidFields, type HttpProblem } from '../../infrastructure/http/problem.ts';
import { decodeCursor } from './movies.ts';

// What a cursor may carry, checked as strictly as the columns its values are compared with: a
// cursor is opaque to clients but not to whoever crafts one, and a year of 2^31, a count of 1e300 or
// a time before year 1000 would reach PostgreSQL as a cast it refuses (a 500). A cursor is decoded
// against its list's tuple of these codecs, or refused with 400.

const numberWhere = (name: string, accepts: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (input): input is number => typeof input === 'number' && accepts(input),
    (input, context) => (typeof input === 'number' && accepts(input) ? t.success(input) : t.failure(input, context)),
    t.identity,
  );

/** Milliseconds since the epoch within the years IsoDateTime takes (1000 to 9999), as timestamptz holds them. */
export const CursorTime = numberWhere(
  'CursorTime',
  (n) => Number.isSafeInteger(n) && n >= Date.UTC(1000, 0, 1) && n < Date.UTC(10_000, 0, 1),
);

/** A score a ranking computed: any finite float8. */
export const CursorScore = numberWhere('CursorScore', Number.isFinite);

/** A year as sort keys hold it: 0 for an unknown one. */
export const CursorYear = numberWhere('CursorYear', (n) => Number.isInteger(n) && n >= 0 && n <= 2100);

/** A count of an integer column. */
export const CursorCount = numberWhere('CursorCount', (n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1);

/** A rating average: half a star to five. */
export const CursorAverage = t.union([numberWhere('CursorAverage', (n) => n >= 0.5 && n <= 5), t.null]);

interface CursorTextBrand {
  readonly CursorText: unique symbol;
}
/** A title as sort keys hold it (lower case, as long as a title may be). */
export const CursorTitle = textCodec<CursorTextBrand>('CursorTitle', (s) => (s.length <= 300 ? undefined : 'too long'));

/** The values `cursor` carries, if they are what `codec` takes; undefined for anything else. */
export const readCursor = <A>(codec: t.Type<A, unknown, unknown>, cursor: string): A | undefined => {
  const values = decodeCursor(cursor);
  if (values === undefined) return undefined;
  const decoded = codec.decode(values);
  return E.isRight(decoded) ? decoded.right : undefined;
};

export const invalidCursor = (): HttpProblem => invalidFields([{ path: 'cursor', message: 'is not a cursor this list gave out' }]);
