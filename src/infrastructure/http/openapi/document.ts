import type Router from '@koa/router';
import type { JsonSchema } from '../../codecs/schemaHints.ts';
import { HttpProblem } from '../problem.ts';
import { ProblemBody } from '../problemBody.ts';
import { docOf, type Answer, type RequestHeader, type RouteDoc } from './routeDoc.ts';
import { schemaWriter } from './jsonSchema.ts';
import './domainSchemas.ts';

// The OpenAPI 3.1 document, generated from the routers themselves: every route's path and method as
// the router holds it, and what its `documented(...)` marker says, with schemas written from the very
// codecs the route decodes its input with and types its answers by. Nothing is kept by hand here but
// what every route of a kind shares (the problems a guard or a body reader answers).

export interface GeneratedDocument {
  readonly document: JsonSchema;
  /** Routes the routers serve without a `documented(...)` marker, as `GET /path`. */
  readonly undocumented: readonly string[];
  /** Codecs written as `{}` for want of a description (jsonSchema.ts). */
  readonly undescribed: readonly string[];
}

const titles: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Idempotency-Key reused',
  429: 'Too many requests',
  500: 'Internal server error',
  501: 'Not implemented',
  503: 'Service unavailable',
};

const headerParameters: Readonly<Record<RequestHeader, JsonSchema>> = {
  'If-Match': {
    name: 'If-Match',
    in: 'header',
    description: 'The stream revision the change was decided on (an earlier answer\'s ETag, or "none"): 412 when the resource has moved on',
    schema: { type: 'string', pattern: '^(W/)?"?(\\d{1,18}|none)"?$' },
  },
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      'Repeating the request with the same key answers the first result and appends nothing new, for 24 hours (IDEMPOTENCY_KEY_TTL); keys are per caller (the user, or the client address when signed out)',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  'X-Min-Position': {
    name: 'X-Min-Position',
    in: 'header',
    description: "Read your writes: wait until the read models have applied this position (a command's `position`), else 503",
    schema: { type: 'string', pattern: '^\\d{1,19}$' },
  },
};

/** The problems every route of a kind gives, beside those it names itself (which win). */
const sharedProblems = (doc: RouteDoc): Record<number, string> => {
  const headers = doc.headers ?? [];
  const shared: [number, string, boolean][] = [
    [400, 'A query parameter is invalid: each one is named in `errors`', doc.query !== undefined],
    [400, 'The body is invalid: each failing field is named in `errors`', doc.body !== undefined || doc.form !== undefined],
    [401, 'No valid access token: send Authorization: Bearer <access token>', doc.auth !== undefined],
    [403, 'This needs the admin role', doc.auth === 'admin'],
    [409, 'Other changes kept winning; nothing was changed', headers.includes('If-Match')],
    [412, 'The resource has changed since the revision in If-Match', headers.includes('If-Match')],
    [413, 'The body is larger than 1 MiB', doc.body !== undefined || doc.form !== undefined],
    [415, 'The body is not JSON (or, where taken, a form)', doc.body !== undefined || doc.form !== undefined],
    [422, 'This Idempotency-Key was used before with a different request', headers.includes('Idempotency-Key')],
    [429, 'Too many new Idempotency-Keys from this caller; retry after Retry-After', headers.includes('Idempotency-Key')],
    [503, 'The read models have not reached X-Min-Position within the wait; retry after Retry-After', headers.includes('X-Min-Position')],
  ];
  return { ...Object.fromEntries(shared.filter(([, , applies]) => applies).map(([status, why]) => [status, why])), ...doc.problems };
};

const problemAnswer = (status: number, description: string): JsonSchema => ({
  description,
  content: {
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/Problem' },
      example: new HttpProblem(status, titles[status] ?? 'Request error', description).toJSON(),
    },
  },
});

/** Answers of one status in two media types (the login's OAuth2 error and its problem) as one response. */
const merged = (responses: readonly (readonly [string, JsonSchema])[]): [string, JsonSchema][] => {
  const byStatus = new Map<string, JsonSchema>();
  for (const [status, response] of responses) {
    const earlier = byStatus.get(status);
    byStatus.set(
      status,
      earlier === undefined
        ? response
        : {
            description: `${String(earlier.description)}; ${String(response.description)}`,
            content: { ...(earlier.content ?? {}), ...(response.content ?? {}) },
          },
    );
  }
  return [...byStatus];
};

/** `/movies/:id/rating` → `/movies/{id}/rating`. */
const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');
const pathParameters = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((match) => match[1] ?? '');

export const generateDocument = (
  routers: readonly Router[],
  info: { readonly title: string; readonly version: string },
): GeneratedDocument => {
  const writer = schemaWriter();
  writer.schemaOf(ProblemBody);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const undocumented: string[] = [];
  const tags: string[] = [];

  for (const router of routers) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue;
      const doc = layer.stack.map(docOf).find((found) => found !== undefined);
      for (const method of layer.methods.filter((name) => name !== 'HEAD')) {
        if (doc === undefined) {
          undocumented.push(`${method} ${layer.path}`);
          continue;
        }
        if (!tags.includes(doc.tag)) tags.push(doc.tag);
        paths[openApiPath(layer.path)] ??= {};
        const operations = paths[openApiPath(layer.path)] ?? {};
        operations[method.toLowerCase()] = operation(method, layer.path, doc);
      }
    }
  }

  function operation(method: string, path: string, doc: RouteDoc): JsonSchema {
    const querySchema = doc.query === undefined ? undefined : writer.schemaOf(doc.query);
    const queryProperties = (querySchema?.properties ?? {}) as Record<string, JsonSchema>;
    const requiredQuery = Array.isArray(querySchema?.required) ? querySchema.required : [];
    const parameters = [
      ...pathParameters(path).map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: doc.params?.[name] === undefined ? { type: 'string' } : writer.schemaOf(doc.params[name]),
      })),
      ...Object.entries(queryProperties).map(([name, schema]) => ({
        name,
        in: 'query',
        required: requiredQuery.includes(name),
        schema,
        ...(doc.queryExample?.[name] === undefined ? {} : { example: doc.queryExample[name] }),
      })),
      ...(doc.headers ?? []).map((header) => ({ $ref: `#/components/parameters/${header}` })),
    ];
    const content: Record<string, JsonSchema> = {
      ...(doc.body === undefined ? {} : { 'application/json': { schema: writer.schemaOf(doc.body.codec), example: doc.body.example } }),
      ...(doc.form === undefined
        ? {}
        : { 'application/x-www-form-urlencoded': { schema: writer.schemaOf(doc.form.codec), example: doc.form.example } }),
    };
    const answers = Object.entries(doc.answers).map(([status, answer]) => [status, answerOf(answer)] as const);
    const problems = Object.entries(sharedProblems(doc)).map(([status, why]) => [status, problemAnswer(Number(status), why)] as const);
    return {
      operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, letter: string | undefined) => (letter ?? '').toUpperCase())}`,
      summary: doc.summary,
      ...(doc.description === undefined ? {} : { description: doc.description }),
      tags: [doc.tag],
      ...(doc.auth === undefined ? {} : { security: [{ OAuth2Password: [] }, { BearerToken: [] }] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(Object.keys(content).length > 0 ? { requestBody: { required: doc.body?.optional !== true, content } } : {}),
      responses: {
        ...Object.fromEntries(merged([...answers, ...problems]).sort(([a], [b]) => Number(a) - Number(b))),
        default: problemAnswer(500, 'Anything else: a failure of ours, logged'),
      },
    };
  }

  function answerOf(answer: Answer): JsonSchema {
    if (answer.body === undefined && answer.type === undefined) return { description: answer.description };
    const media = {
      ...(answer.body === undefined ? {} : { schema: writer.schemaOf(answer.body) }),
      ...(answer.example === undefined ? {} : { example: answer.example }),
    };
    const types = typeof answer.type === 'string' ? [answer.type] : (answer.type ?? ['application/json']);
    return { description: answer.description, content: Object.fromEntries(types.map((type) => [type, media])) };
  }

  const document = {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description:
        'An event-sourced movie catalogue. Errors are application/problem+json (RFC 9457); every command answers the global `position` ' +
        'of its last event, which a query sent with X-Min-Position waits for. Sign in with Authorize (the OAuth2 password grant of ' +
        'POST /auth/login: your e-mail address as the username).',
    },
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: writer.components(),
      parameters: headerParameters,
      securitySchemes: {
        OAuth2Password: {
          type: 'oauth2',
          description: 'The password grant of POST /auth/login (RFC 6749 §4.3): the username is the e-mail address',
          flows: { password: { tokenUrl: '/auth/login', scopes: {} } },
        },
        BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /auth/login' },
      },
    },
  };
  return { document, undocumented, undescribed: writer.undescribed() };
};
