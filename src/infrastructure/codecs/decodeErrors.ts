import * as t from 'io-ts';

/** One failing field: where it is (`a.b[2]`) and what was expected there. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return `a ${typeof value}`;
};

/**
 * Fields whose value is never written back, whatever rule it broke: an error body ends up in logs,
 * proxies and bug reports. Matched on the field's own name, in any object and any letter case.
 */
const secretField = /pass(word|phrase)?$|secret|token$|api_?key|credential/i;

// A key is the client's text and may be a megabyte long: the path names it, within reason.
const longestKey = 64;

const keysOf = (error: t.ValidationError): string[] =>
  error.context
    // The root entry has an empty key; union branches repeat the parent's key with a numeric index.
    .filter((entry, index, all) => index > 0 && entry.key !== '' && !isUnionBranch(all, index))
    .map((entry) => entry.key);

const pathOf = (keys: readonly string[]): string =>
  keys
    .map((key) => (key.length > longestKey ? `${key.slice(0, longestKey)}…` : key))
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`))
    .join('')
    .replace(/^\./, '');

/** Union and intersection members are keyed by their index; that index is no part of the field's path. */
const isUnionBranch = (entries: t.Context, index: number): boolean => {
  const parent = entries[index - 1];
  return parent !== undefined && (parent.type instanceof t.UnionType || parent.type instanceof t.IntersectionType);
};

const expectedOf = (error: t.ValidationError, secret: boolean): string => {
  // A codec's own message might quote the value (`got "Secret7"`): for a secret, only when it does not.
  if (error.message !== undefined && !(secret && quotes(error.message, error.value))) return error.message;
  const innermost = error.context[error.context.length - 1];
  const got = secret ? describeKind(error.value) : describeValue(error.value);
  return `expected ${innermost?.type.name ?? 'a valid value'}, got ${got}`;
};

const quotes = (message: string, value: unknown): boolean =>
  (typeof value === 'string' && value !== '' && message.includes(value)) ||
  (value !== null && typeof value !== 'object' && value !== undefined && message.includes(JSON.stringify(value)));

/** What a secret was, without what it said. */
const describeKind = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
};

/** Flattens io-ts errors into one entry per failing path, in input order, without repeats. */
export const fieldErrors = (errors: t.Errors): FieldError[] => {
  const seen = new Map<string, FieldError>();
  for (const error of errors) {
    const keys = keysOf(error);
    const path = pathOf(keys);
    if (seen.has(path)) continue;
    const secret = keys.some((key) => secretField.test(key));
    seen.set(path, { path, message: expectedOf(error, secret) });
  }
  return [...seen.values()];
};
