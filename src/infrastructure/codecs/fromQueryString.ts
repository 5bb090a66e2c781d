import * as t from 'io-ts';
import { withSchema } from './schemaHints.ts';

// Query strings carry text; these codecs read numbers out of it, saying what they wanted.

export const integerInRange = (min: number, max: number): t.Type<number, string, unknown> =>
  withSchema(
    new t.Type<number, string, unknown>(
      `an integer from ${min} to ${max}`,
      (input): input is number => typeof input === 'number' && Number.isInteger(input) && input >= min && input <= max,
      (input, context) => {
        if (typeof input !== 'string' || !/^-?\d{1,9}$/.test(input)) return t.failure(input, context);
        const value = Number(input);
        return value >= min && value <= max ? t.success(value) : t.failure(input, context);
      },
      String,
    ),
    { type: 'integer', minimum: min, maximum: max },
  );

export const numberInRange = (min: number, max: number): t.Type<number, string, unknown> =>
  withSchema(
    new t.Type<number, string, unknown>(
      `a number from ${min} to ${max}`,
      (input): input is number => typeof input === 'number' && input >= min && input <= max,
      (input, context) => {
        if (typeof input !== 'string' || !/^-?\d{1,9}(\.\d{1,6})?$/.test(input)) return t.failure(input, context);
        const value = Number(input);
        return value >= min && value <= max ? t.success(value) : t.failure(input, context);
      },
      String,
    ),
    { type: 'number', minimum: min, maximum: max },
  );
