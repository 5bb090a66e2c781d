import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RouteEntry } from '../../../src/infrastructure/http/routeTable.ts';

// Generators of the requests an attacker (or a careless client) sends: every route of the routers,
// with hostile paths, queries, headers, bodies and methods, with and without valid tokens. Each
// hostile value is one the issue 16 attack used or one of its kind; fast-check mixes them and shrinks
// a failure to the fewest, plainest parts.

/** What the running service knows and the generators may use as valid values. */
export interface Known {
  readonly userToken: string;
  readonly adminToken: string;
  readonly refreshToken: string;
  readonly password: string;
  readonly movieIds: readonly string[];
  readonly slugs: readonly string[];
  readonly userIds: readonly string[];
  /** nextCursor values the service gave out, to be tampered with. */
  readonly cursors: readonly string[];
  /** The event log's head when the run began: a position X-Min-Position may wait for. */
  readonly head: string;
}

export interface HostileRequest {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer | undefined;
}

// A failure shrinks towards each choice's first option: the plainest (no header, the route's own method).
const shrinkToFirst = { withCrossShrink: true };

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Text a codec might let through that a read model, the log or a query cannot take. */
const hostileStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202e\u0301',
  '𝕂elvin',
  'KELVIN\u212a',
  '-'.repeat(36),
  '00000000-0000-0000-0000-000000000000',
  "'; DROP TABLE events; --",
  '%',
  '\\',
  '../../etc/passwd',
  '2020-02-30T00:00:00Z',
  '2020-01-01T24:00:00Z',
  `0.${'9'.repeat(5_000)}`,
  '1e300',
  '-1.5',
  'x'.repeat(70_000),
  'Drama',
  'Sci-Fi',
  'IMAX',
  // Object.prototype's members: a lookup in a plain object by a requested name finds them.
  'valueOf',
  'constructor',
  '__proto__',
  'toString',
);

const hostileNumbers = fc.constantFrom(0, -1, -1.5, 0.5, 5, 2 ** 31, 2 ** 53 + 2, -8.64e15, 1e300, Number.MAX_VALUE, 4, 1999);

const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileStrings,
    hostileNumbers,
    fc.constantFrom(null, true, false),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const fieldNames = [
  'email',
  'password',
  'displayName',
  'refreshToken',
  'token',
  'newPassword',
  'currentPassword',
  'title',
  'year',
  'genres',
  'overview',
  'runtime',
  'externalIds',
  'slug',
  'score',
  'watchedAt',
  'role',
  'grant_type',
  'username',
  '__proto__',
  'constructor',
];

const plausibleBody = (known: Known): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    shrinkToFirst,
    fc.dictionary(
      fc.constantFrom(...fieldNames),
      fc.oneof(shrinkToFirst, jsonValue, fc.constantFrom(known.password, 'user', 'admin', ['drama'], { tmdbId: 1 })),
      {
        maxKeys: 6,
      },
    ),
    fc.constant({ score: 4 }),
    fc.constant({ title: 'A Hostile Film', year: 2001, genres: ['drama'], overview: 'x' }),
    fc.constant({ role: 'admin' }),
    fc.constant({ refreshToken: known.refreshToken }),
  );

/** Bodies as bytes: JSON shapes, and what is not JSON at all or breaks the limits. */
const bodies = (known: Known): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    shrinkToFirst,
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: plausibleBody(known).map((body) => JSON.stringify(body)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
        `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`,
        JSON.stringify({ genres: Array(1_001).fill('drama') }),
        JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
        '{"score": ',
        '[1]',
        'null',
        '"text"',
        'email=a%40b.c&password=x',
        '\u0000',
        '{"title":"\\u0000","score":"\\ud800"}',
      ),
    },
  );

const segments = (known: Known): fc.Arbitrary<string> =>
  fc.oneof(
    shrinkToFirst,
    { weight: 4, arbitrary: fc.constantFrom(...known.movieIds, ...known.slugs, ...known.userIds) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '%00',
        'a%00b',
        '%ED%A0%80',
        '%F0%9F%8E%AC',
        '%C0%AF',
        '%',
        '%zz',
        '..',
        '%2e%2e%2f',
        '-'.repeat(36),
        '00000000-0000-0000-0000-000000000000',
        'x'.repeat(4_000),
        '%20',
        'Drama',
        '1e300',
        'valueOf',
        'constructor',
        '__proto__',
      ),
    },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.~-]{0,40}$/) },
  );

/** A route template with its parameters filled in from `values`, and something tacked on. */
const fillIn = (template: string, values: readonly string[], tail: string): string =>
  (template.match(/:[A-Za-z]+/g) ?? []).reduce((path, name, index) => path.replace(name, values[index] ?? ''), template) + tail;

const queryNames = [
  'q',
  'genre',
  'yearFrom',
  'yearTo',
  'minRating',
  'sort',
  'cursor',
  'limit',
  'window',
  'at',
  'from',
  'to',
  'stream',
  'x',
];

const isList = (value: unknown): value is unknown[] => Array.isArray(value);

const craftedCursors = (known: Known): fc.Arbitrary<string> =>
  fc.oneof(
    shrinkToFirst,
    fc.constantFrom(...known.cursors, 'bm90IGpzb24', '', '%00', 'W10', base64url(['all', 'x', 'year', 2 ** 31, '-'.repeat(36)])),
    fc
      .tuple(fc.constantFrom(...known.cursors), fc.nat(6), fc.oneof(shrinkToFirst, hostileNumbers, hostileStrings))
      .map(([cursor, index, value]) => {
        const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
        if (!isList(parsed)) return cursor;
        const copy = [...parsed];
        copy[index % copy.length] = value;
        return base64url(copy);
      }),
  );

const queryValues = (known: Known): fc.Arbitrary<string> =>
  fc.oneof(
    shrinkToFirst,
    hostileStrings.map((value) => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))),
    fc.constantFrom(
      '%00',
      '%ED%A0%80',
      '1e300',
      '-1.5',
      '99999999999999999999',
      '-8.64e15',
      '2147483648',
      'NaN',
      '-0',
      '0x10',
      '2000',
      '5',
      'rating',
      'title',
      '7d',
      'drama',
    ),
    craftedCursors(known).map(encodeURIComponent),
  );

const queries = (known: Known): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.constantFrom(...queryNames), queryValues(known)), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`));

const forgedToken = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'x', role: 'admin' })}.`;

const authorizations = (known: Known): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    shrinkToFirst,
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constant(`Bearer ${known.userToken}`) },
    { weight: 3, arbitrary: fc.constant(`Bearer ${known.adminToken}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Bearer garbage',
        `Bearer ${forgedToken}`,
        'Basic YTpi',
        `Bearer ${'x'.repeat(8_000)}`,
      ),
    },
  );

/** A header's value or its absence; node's client refuses control characters, as a proxy would. */
const optional = (values: fc.Arbitrary<string>, weightAbsent = 4): fc.Arbitrary<string | undefined> =>
  fc.oneof(shrinkToFirst, { weight: weightAbsent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: values });

const headerSets = (known: Known) =>
  fc.record({
    contentType: fc.oneof(
      shrinkToFirst,
      { weight: 6, arbitrary: fc.constant('application/json') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          'application/json; charset=utf-8',
          'application/merge-patch+json',
          'multipart/form-data; boundary=x',
          'a/b;;;=',
          '',
        ),
      },
    ),
    encoding: optional(fc.constantFrom('gzip', 'gzip-raw', 'br', 'deflate', 'compress', 'gzip, gzip', 'identity', 'GZIP')),
    idempotencyKey: optional(fc.oneof(shrinkToFirst, fc.uuid(), fc.constantFrom('k', 'x'.repeat(300), 'with space', 'é'))),
    ifMatch: optional(fc.constantFrom('"0"', '"none"', '*', 'W/"1"', '"99999999999999999999"', 'garbage')),
    // A position past the head waits the whole read-your-writes timeout: rare, so the run stays short.
    minPosition: optional(fc.constantFrom('0', known.head, '-1', '1e3', 'abc', '99999999999999999999', ' 1'), 6),
    authorization: authorizations(known),
  });

const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'];

/** One request to one route of the service, everything about it possibly hostile. */
/**
 * One request to one route of the service, everything about it possibly hostile. The arbitraries are
 * built once, not per route (a chain would build the large bodies anew for every request), and the
 * route is one more value, which shrinks like any other.
 */
export const hostileRequests = (routes: readonly RouteEntry[], known: Known): fc.Arbitrary<HostileRequest> =>
  fc
    .record({
      route: fc.constantFrom(...routes),
      otherMethod: fc.oneof(
        shrinkToFirst,
        { weight: 5, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(...otherMethods) },
      ),
      segments: fc.array(segments(known), { minLength: 2, maxLength: 2 }),
      tail: fc.constantFrom('', '', '', '/', '/..', '//x'),
      query: queries(known),
      body: bodies(known),
      headers: headerSets(known),
      farFuture: fc.integer({ min: 0, max: 999 }).map((n) => n === 999),
    })
    .map(({ route, otherMethod, segments: values, tail, query, body, headers, farFuture }) => {
      const sent: Record<string, string> = {};
      const compress = headers.encoding === 'gzip' || headers.encoding === 'GZIP' ? gzipSync : undefined;
      if (body !== undefined) sent['Content-Type'] = headers.contentType;
      if (headers.encoding !== undefined) sent['Content-Encoding'] = headers.encoding === 'gzip-raw' ? 'gzip' : headers.encoding;
      if (headers.idempotencyKey !== undefined) sent['Idempotency-Key'] = headers.idempotencyKey;
      if (headers.ifMatch !== undefined) sent['If-Match'] = headers.ifMatch;
      if (headers.minPosition !== undefined) sent['X-Min-Position'] = headers.minPosition;
      if (farFuture) sent['X-Min-Position'] = '9223372036854775807';
      if (headers.authorization !== undefined) sent.Authorization = headers.authorization;
      return {
        route: `${route.method} ${route.path}`,
        method: otherMethod ?? route.method,
        path: `${fillIn(route.path, values, tail)}${query}`,
        headers: sent,
        body: body !== undefined && compress !== undefined ? compress(body) : body,
      };
    });
