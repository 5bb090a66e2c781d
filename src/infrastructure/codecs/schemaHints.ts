import * as t from 'io-ts';

// How a codec reads in JSON Schema (for the OpenAPI document), where its structure cannot say it: a
// custom `t.Type` (text with rules, numbers read from a query string, strict objects) has no tag to
// walk. Kept beside the codecs so that a codec is described where it is made; the OpenAPI generator
// (src/infrastructure/http/openapi) reads these hints and walks io-ts' own types itself.

export type JsonSchema = Readonly<Record<string, unknown>>;

export type SchemaHint =
  /** This schema, as is. */
  | { readonly schema: JsonSchema }
  /** The schema of `codec` with `extra` merged over it (a strict object: `additionalProperties: false`). */
  | { readonly like: t.Any; readonly extra: JsonSchema };

const hints = new WeakMap<t.Any, SchemaHint>();

// io-ts' primitives are shared by every codec built from them: a hint on one would describe them all.
const shared: ReadonlySet<t.Any> = new Set([t.string, t.number, t.boolean, t.null, t.unknown, t.Int]);

const hint = (codec: t.Any, value: SchemaHint): void => {
  if (shared.has(codec)) throw new Error(`${codec.name} is io-ts' own codec, shared by all: describe a codec of your own`);
  hints.set(codec, value);
};

/** Says that `codec` reads as `schema`; answers the codec, so that it can wrap a definition. */
export const withSchema = <C extends t.Any>(codec: C, schema: JsonSchema): C => {
  hint(codec, { schema });
  return codec;
};

/** Says that `codec` reads as `like` does, with `extra` merged over it. */
export const schemaLike = <C extends t.Any>(codec: C, like: t.Any, extra: JsonSchema): C => {
  hint(codec, { like, extra });
  return codec;
};

export const schemaHintOf = (codec: t.Any): SchemaHint | undefined => hints.get(codec);

const components = new WeakMap<t.Any, string>();

/** Says that `codec` is written once in the OpenAPI document's components under `name`, and referred to elsewhere. */
export const asComponent = <C extends t.Any>(codec: C, name: string): C => {
  if (shared.has(codec)) throw new Error(`${codec.name} is io-ts' own codec, shared by all: name a codec of your own`);
  components.set(codec, name);
  return codec;
};

export const componentNameOf = (codec: t.Any): string | undefined => components.get(codec);
