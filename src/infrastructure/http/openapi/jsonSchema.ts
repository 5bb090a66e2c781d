/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call,
   @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   io-ts' classes are generic over `any` (`KeyofType<any>`): what `instanceof` narrows to carries it. */
import * as t from 'io-ts';
import { componentNameOf, schemaHintOf, type JsonSchema } from '../../codecs/schemaHints.ts';

// io-ts codecs read as JSON Schema (2020-12, as OpenAPI 3.1 takes it): the structure of io-ts' own
// types is walked; a custom codec says what it is with a hint (schemaHints.ts). A codec neither can
// describe is written as `{ "x-undescribed": name }` and named in `undescribed`, which a spec keeps empty.

export interface SchemaWriter {
  readonly schemaOf: (codec: t.Any) => JsonSchema;
  /** Named schemas, referred to as `#/components/schemas/<name>`. */
  readonly components: () => Readonly<Record<string, JsonSchema>>;
  /** Codecs that were written as `{}` for want of a description. */
  readonly undescribed: () => readonly string[];
}

/** Codecs marked with `asComponent` are written once under their name and referred to everywhere else. */
export const schemaWriter = (): SchemaWriter => {
  const written = new Map<string, JsonSchema>();
  const undescribed = new Set<string>();

  const schemaOf = (codec: t.Any): JsonSchema => {
    const component = componentNameOf(codec);
    if (component === undefined) return describe(codec);
    if (!written.has(component)) {
      written.set(component, {});
      written.set(component, describe(codec));
    }
    return { $ref: `#/components/schemas/${component}` };
  };

  const describe = (codec: t.Any): JsonSchema => {
    const hint = schemaHintOf(codec);
    if (hint !== undefined) return 'schema' in hint ? hint.schema : { ...schemaOf(hint.like), ...hint.extra };
    if (codec instanceof t.StringType) return { type: 'string' };
    if (codec instanceof t.NumberType) return { type: 'number' };
    if (codec instanceof t.BooleanType) return { type: 'boolean' };
    if (codec instanceof t.NullType) return { type: 'null' };
    if (codec instanceof t.UnknownType) return {};
    if (codec instanceof t.LiteralType) return { const: codec.value };
    if (codec instanceof t.KeyofType) return { type: 'string', enum: Object.keys(codec.keys) };
    if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) return { type: 'array', items: schemaOf(codec.type) };
    if (codec instanceof t.TupleType) {
      const members: readonly t.Any[] = codec.types;
      return { type: 'array', prefixItems: members.map(schemaOf), minItems: members.length, maxItems: members.length };
    }
    if (codec instanceof t.DictionaryType) return { type: 'object', additionalProperties: schemaOf(codec.codomain) };
    if (codec instanceof t.InterfaceType) return objectOf(codec.props, true);
    if (codec instanceof t.PartialType) return objectOf(codec.props, false);
    if (codec instanceof t.ExactType) return { ...schemaOf(codec.type), additionalProperties: false };
    if (codec instanceof t.ReadonlyType) return schemaOf(codec.type);
    // A brand without a hint: its base type, named; the refinement itself is not expressible.
    if (codec instanceof t.RefinementType) return { ...schemaOf(codec.type), description: codec.name };
    if (codec instanceof t.UnionType) return { anyOf: codec.types.map(schemaOf) };
    if (codec instanceof t.IntersectionType) return intersection(codec.types.map(schemaOf));
    undescribed.add(codec.name);
    return { 'x-undescribed': codec.name };
  };

  const objectOf = (props: t.Props, required: boolean): JsonSchema => {
    const names = Object.keys(props);
    return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(props).map(([name, prop]) => [name, schemaOf(prop)])),
      ...(required && names.length > 0 ? { required: names } : {}),
    };
  };

  return { schemaOf, components: () => Object.fromEntries(written), undescribed: () => [...undescribed] };
};

/** Objects merged into one (required and optional keys of one body); anything else as allOf. */
const intersection = (members: readonly JsonSchema[]): JsonSchema => {
  if (!members.every((member) => member.type === 'object' && member.additionalProperties === undefined)) return { allOf: members };
  const required: unknown[] = members.flatMap((member) => (Array.isArray(member.required) ? member.required : []));
  return {
    type: 'object',
    properties: Object.assign({}, ...members.map((member) => member.properties)),
    ...(required.length > 0 ? { required } : {}),
  };
};
