import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { acceptedForms, parseEventStoreUrl, redact } from '../eventStore/eventstoredb/connectionString.ts';

// Codecs for environment variables: each takes the raw string and says, in its name, what it wanted.

const fromString = <A>(expected: string, parse: (raw: string) => A | undefined): t.Type<A, string, unknown> =>
  new t.Type<A, string, unknown>(
    expected,
    (input): input is A => input !== undefined,
    (input, context) => {
      if (typeof input !== 'string') return t.failure(input, context);
      const parsed = parse(input.trim());
      return parsed === undefined ? t.failure(input, context) : t.success(parsed);
    },
    String,
  );

export const integerBetween = (min: number, max: number): t.Type<number, string, unknown> =>
  fromString(`an integer from ${min} to ${max}`, (raw) => {
    if (!/^-?\d+$/.test(raw)) return undefined;
    const value = Number(raw);
    return value >= min && value <= max ? value : undefined;
  });

export const oneOf = <V extends string>(values: readonly V[]): t.Type<V, string, unknown> =>
  fromString(`one of ${values.join(', ')}`, (raw) => values.find((value) => value === raw.toLowerCase()));

/** A comma-separated list of some of `values`, each at most once, at least one. */
export const someOf = <V extends string>(values: readonly V[]): t.Type<V[], string, unknown> =>
  fromString(`a comma-separated list of some of ${values.join(', ')}`, (raw) => {
    const chosen = raw.split(',').map((item) => values.find((value) => value === item.trim().toLowerCase()));
    if (chosen.length === 0 || chosen.some((value) => value === undefined) || new Set(chosen).size !== chosen.length) return undefined;
    return chosen as V[];
  });

export const urlWithScheme = (schemes: readonly string[]): t.Type<URL, string, unknown> =>
  fromString(`a URL starting with ${schemes.map((scheme) => `${scheme}//`).join(' or ')}`, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    return schemes.includes(url.protocol) ? url : undefined;
  });

/**
 * EVENTSTORE_URL: whatever @eventstore/db-client can connect with, checked by the client's own parser
 * (several hosts of a cluster make it no WHATWG URL). Kept as written; the message names every form.
 */
export const eventStoreConnectionString: t.Type<string, string, unknown> = new t.Type<string, string, unknown>(
  'an EventStoreDB connection string',
  (input): input is string => typeof input === 'string',
  (input, context) => {
    if (typeof input !== 'string') return t.failure(input, context);
    const parsed = parseEventStoreUrl(input);
    if (E.isRight(parsed)) return t.success(input.trim());
    const got = JSON.stringify(redact(input.trim()).slice(0, 100));
    return t.failure(input, context, `an EventStoreDB connection string: ${acceptedForms}; got ${got}: ${parsed.left}`);
  },
  String,
);

export const secret = (minLength: number): t.Type<string, string, unknown> =>
  fromString(`a secret of at least ${minLength} characters`, (raw) => (raw.length >= minLength ? raw : undefined));

export const nonEmpty: t.Type<string, string, unknown> = fromString('a non-empty string', (raw) => (raw.length > 0 ? raw : undefined));

const secondsPerUnit: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 };

/** Durations as `900`, `900s`, `15m`, `12h` or `30d`; decoded to seconds. */
export const durationSeconds: t.Type<number, string, unknown> = fromString('a duration such as 900, 15m, 12h or 30d', (raw) => {
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw);
  const unit = secondsPerUnit[match?.[2] ?? ''];
  if (match === null || unit === undefined) return undefined;
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : undefined;
});

/**
 * CORS_ORIGINS: a comma-separated list of web origins (`https://app.example.com`, with a port when it
 * is not the scheme's), each as a browser sends it in `Origin`: scheme, host and port, no path.
 */
export const originList: t.Type<string[], string, unknown> = fromString(
  'a comma-separated list of origins such as https://app.example.com (scheme, host and port; no path)',
  (raw) => {
    const origins = raw.split(',').map((item) => item.trim());
    const valid = origins.every(
      (origin) => URL.canParse(origin) && ['http:', 'https:'].includes(new URL(origin).protocol) && new URL(origin).origin === origin,
    );
    return valid && origins.length > 0 ? origins : undefined;
  },
);
