import * as t from 'io-ts';
import { asComponent } from '../codecs/schemaHints.ts';

/** An error answer as `HttpProblem.toJSON` writes it (RFC 9457), described once for the OpenAPI document. */
export const ProblemBody = asComponent(
  t.intersection(
    [
      t.type({ type: t.string, title: t.string, status: t.number, detail: t.string }),
      t.partial({
        /** The failing fields of an invalid request: the first 20. */
        errors: t.readonlyArray(t.type({ path: t.string, message: t.string })),
        /** How many failing fields are not listed. */
        unlistedErrors: t.number,
      }),
    ],
    'Problem',
  ),
  'Problem',
);
export type ProblemBody = t.TypeOf<typeof ProblemBody>;
