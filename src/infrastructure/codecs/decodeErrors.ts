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

const pathOf = (error: t.ValidationError): string =>
  error.context
    // The root entry has an empty key; union branches repeat the parent's key with a numeric index.
    .filter((entry, index, all) => index > 0 && entry.key !== '' && !isUnionBranch(all, index))
    .map((entry) => (/^\d+$/.test(entry.key) ? `[${entry.key}]` : `.${entry.key}`))
    .join('')
    .replace(/^\./, '');

/** Union and intersection members are keyed by their index; that index is no part of the field's path. */
const isUnionBranch = (entries: t.Context, index: number): boolean => {
  const parent = entries[index - 1];
  return parent !== undefined && (parent.type instanceof t.UnionType || parent.type instanceof t.IntersectionType);
};

const expectedOf = (error: t.ValidationError): string => {
  if (error.message !== undefined) return error.message;
  const innermost = error.context[error.context.length - 1];
  return `expected ${innermost?.type.name ?? 'a valid value'}, got ${describeValue(error.value)}`;
};

/** Flattens io-ts errors into one entry per failing path, in input order, without repeats. */
export const fieldErrors = (errors: t.Errors): FieldError[] => {
  const seen = new Map<string, FieldError>();
  for (const error of errors) {
    const path = pathOf(error);
    if (!seen.has(path)) seen.set(path, { path, message: expectedOf(error) });
  }
  return [...seen.values()];
};
