import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Reading the generated OpenAPI document in specs: its operations, and its schemas compiled by a
// JSON Schema 2020-12 validator (what OpenAPI 3.1 uses), `#/components/schemas/X` read as `$defs`.

export type Json = Record<string, unknown>;

export interface Operation {
  readonly method: string;
  /** As the document writes it: `/movies/{id}/rating`. */
  readonly path: string;
  readonly spec: Json;
}

export const operationsOf = (document: Json): Operation[] =>
  Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  );

/** Every `{ schema, example }` pair of the document (request and answer bodies, parameters), named by where it is. */
export const examplesOf = (document: Json): { where: string; schema: Json; example: unknown }[] =>
  operationsOf(document).flatMap(({ method, path, spec }) => {
    const where = `${method} ${path}`;
    const requestBody = (spec.requestBody as { content?: Record<string, Json> } | undefined)?.content ?? {};
    const responses = Object.entries(spec.responses as Record<string, { content?: Record<string, Json> }>);
    const parameters = ((spec.parameters ?? []) as Json[]).filter((parameter) => 'example' in parameter);
    return [
      ...Object.entries(requestBody).map(([type, media]) => ({ where: `${where} request ${type}`, media })),
      ...responses.flatMap(([status, response]) =>
        Object.entries(response.content ?? {}).map(([type, media]) => ({ where: `${where} ${status} ${type}`, media })),
      ),
      ...parameters.map((parameter) => ({ where: `${where} parameter ${String(parameter.name)}`, media: parameter })),
    ]
      .filter(({ media }) => media.schema !== undefined && media.example !== undefined)
      .map(({ where: at, media }) => ({ where: at, schema: media.schema as Json, example: media.example }));
  });

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** A validator for the document's schemas. */
export const schemaValidator = (document: Json): ((schema: Json) => ValidateFunction) => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  // OpenAPI's own format for secrets: any string.
  ajv.addFormat('password', true);
  const components = ((document.components as Json).schemas ?? {}) as Json;
  const rewrite = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(rewrite)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(
            Object.entries(value).map(([key, inner]) => [
              key,
              key === '$ref' && typeof inner === 'string' ? inner.replace('#/components/schemas/', '#/$defs/') : rewrite(inner),
            ]),
          )
        : value;
  const defs = rewrite(components) as Json;
  return (schema) => ajv.compile({ ...(rewrite(schema) as Json), $defs: defs });
};
