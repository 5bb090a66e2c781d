import pg from 'pg';

/** One SQL statement of a projection, its values as node-postgres would take them as parameters. */
export interface Statement {
  readonly text: string;
  readonly values?: readonly unknown[];
}

/**
 * The statements of a batch, the schema's settings before them and `last` after them, as one text
 * for the simple query protocol: one round trip, and one implicit transaction, so that an error in
 * any of them (or in `last`, the checkpoint's move) rolls back all of them. Parameters cannot travel
 * with a simple query, so the values are written into the text as literals; the statements' casts
 * (`$1::uuid[]`) apply to a literal as they did to a parameter.
 */
export const batchText = (schema: string, statements: readonly Statement[], last?: string): string =>
  [
    'SET LOCAL synchronous_commit = off',
    `SET LOCAL search_path = ${pg.escapeIdentifier(schema)}, public`,
    ...statements.map(withLiterals),
    ...(last === undefined ? [] : [last]),
  ].join(';\n');

/** Runs statements on their own, as a batch does (tests, the offline evaluation). */
export const runStatements = async (db: Pick<pg.Pool, 'query'>, schema: string, statements: readonly Statement[]): Promise<void> => {
  await db.query(batchText(schema, statements));
};

// A placeholder; or a quoted literal or a comment to step over (a `$1` or a quote inside one is text).
const placeholders = /'(?:[^']|'')*'|--[^\n]*|\$(\d+)/g;

/** `text` with each `$n` replaced by its value as an SQL literal. */
export const withLiterals = ({ text, values = [] }: Statement): string =>
  text.replace(placeholders, (match, index: string | undefined) => {
    if (index === undefined) return match;
    const position = Number(index) - 1;
    if (position < 0 || position >= values.length) throw new Error(`the statement has no value for $${index}: ${text.slice(0, 80)}`);
    return literal(values[position]);
  });

/** A value as an SQL literal, typed by the context it lands in (as an untyped parameter would be). */
export const literal = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} has no SQL literal`);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return quote(value);
  if (value instanceof Date) return quote(value.toISOString());
  if (Array.isArray(value)) return quote(arrayLiteral(value));
  return quote(JSON.stringify(value));
};

// The E'' form reads backslashes the same whatever standard_conforming_strings says. Not
// pg.escapeLiteral: it copies character by character, 50-70 ms for a 5,000-rating batch's 825 kB of
// JSON where replaceAll takes 0.3 ms.
const quote = (text: string): string =>
  text.includes('\\') ? ` E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'` : `'${text.replaceAll("'", "''")}'`;

const elementText = (value: unknown): string => {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new Error('only arrays of strings, numbers, booleans and dates are written as literals; pass others as JSON');
};

/** A one-dimensional array's text form, `{"a","b",NULL}`, every element quoted. */
const arrayLiteral = (values: readonly unknown[]): string => {
  let text = '{';
  for (let index = 0; index < values.length; index++) {
    const value: unknown = values[index];
    if (index > 0) text += ',';
    if (value === null || value === undefined) {
      text += 'NULL';
      continue;
    }
    const element = elementText(value);
    text += `"${element.includes('\\') || element.includes('"') ? element.replaceAll('\\', '\\\\').replaceAll('"', '\\"') : element}"`;
  }
  return `${text}}`;
};
