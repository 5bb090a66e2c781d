import * as t from 'io-ts';
import { schemaLike } from './schemaHints.ts';

/**
 * Like `t.type`, but an unknown key is a decode error rather than silently dropped: a client
 * that misspells `displayName` as `displayname` should hear about it, not lose the field.
 */
export const strict = <P extends t.Props>(props: P, name?: string): t.Type<t.TypeOf<t.TypeC<P>>, t.OutputOf<t.TypeC<P>>, unknown> =>
  strictOf(t.type(props), props, name);

/** `strict` for an object whose keys are all optional. */
export const strictPartial = <P extends t.Props>(
  props: P,
  name?: string,
): t.Type<t.TypeOf<t.PartialC<P>>, t.OutputOf<t.PartialC<P>>, unknown> => strictOf(t.partial(props), props, name);

/** An object with required and optional keys, no others. */
export const strictWithOptional = <R extends t.Props, O extends t.Props>(
  required: R,
  optional: O,
  name?: string,
): t.Type<t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>, t.OutputOf<t.TypeC<R>> & t.OutputOf<t.PartialC<O>>, unknown> =>
  strictOf(t.intersection([t.type(required), t.partial(optional)]), { ...required, ...optional }, name);

const strictOf = <A, O>(inner: t.Type<A, O, unknown>, props: t.Props, name?: string): t.Type<A, O, unknown> => {
  const known = new Set(Object.keys(props));
  const unknownKeyErrors = (input: unknown, context: t.Context): t.Errors =>
    isRecord(input)
      ? Object.keys(input)
          .filter((key) => !known.has(key))
          .map((key) => ({
            value: input[key],
            context: [...context, { key, type: t.never, actual: input[key] }],
            message: 'is not a known field',
          }))
      : [];
  const codec = new t.Type<A, O, unknown>(
    name ?? inner.name,
    (input): input is A => inner.is(input) && unknownKeyErrors(input, []).length === 0,
    (input, context) => {
      // The inner codec's own context entry lets error paths skip its intersection branches.
      const decoded = inner.validate(input, [...context, { key: '', type: inner, actual: input }]);
      const extra = unknownKeyErrors(input, context);
      if (extra.length === 0) return decoded;
      // Report misspelt fields together with the invalid ones, so one round trip fixes everything.
      return t.failures(decoded._tag === 'Left' ? [...decoded.left, ...extra] : extra);
    },
    inner.encode,
  );
  return schemaLike(codec, inner, { additionalProperties: false });
};

const isRecord = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input);
