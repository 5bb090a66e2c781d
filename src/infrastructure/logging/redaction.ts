// Secrets never reach a log line. Every record passes through `redactRecord` on its way to a stream
// (logger.ts), whoever logged it and however deep the secret sits: a field named like a credential
// (authorization, cookies, passwords, access, refresh and reset tokens, secrets, keys) is replaced
// whole, and in every string the shapes a secret has here are cut out: a JWT, a refresh or reset
// token (`<session or user id>.<43 characters>`), a sensitive query parameter, a password in a URL.
// Names and shapes rather than a list of known places: the place a secret turns up is the one
// nobody thought of.

export const redacted = '[redacted]';

/** Field names whose value is a secret, whatever their case and separators (`refresh_token`, `newPassword`, `Set-Cookie`). */
const secretField = /passw(or)?d|passphrase|^pass$|token|secret|authori[sz]ation|cookie|api[-_]?key|private[-_]?key|credential|signature/i;
/** Query parameters whose value is a secret: the same names, and OAuth's `code` and signed URLs' `sig`. */
const secretParameterName = /^(code|sig)$/i;

// Records have few distinct field names: each is tested once (the cache is emptied should some
// caller log objects keyed by ids).
const fieldVerdicts = new Map<string, boolean>();
export const isSecretField = (name: string): boolean => {
  let verdict = fieldVerdicts.get(name);
  if (verdict === undefined) {
    if (fieldVerdicts.size > 10_000) fieldVerdicts.clear();
    verdict = secretField.test(name);
    fieldVerdicts.set(name, verdict);
  }
  return verdict;
};
const isSecretParameter = (name: string): boolean => {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // Not percent-encoding: the name as it is.
  }
  return isSecretField(decoded) || secretParameterName.test(decoded);
};

// Shapes of the secrets this service hands out, and of secrets in URLs.
const jwtShape = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const opaqueTokenShape = /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[\w-]{43}(?![\w-])/gi;
const queryParameter = /([?&;]([^=&#\s]+)=)([^&#\s]*)/g;
const urlPassword = /\b([a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi;
/** What every shape above has (a JWT's start, a dot before 43 characters, a parameter, a URL): most text has none. */
const mayHoldSecret = /eyJ|\.[\w-]{43}|[?&;][^=&#\s]+=|:\/\//i;

/**
 * A string with every secret-shaped part cut out: a message, an error's text, a request's path and
 * query (the request line logs it through here: `?access_token=…` becomes `?access_token=[redacted]`).
 */
export const redactText = (text: string): string =>
  !mayHoldSecret.test(text)
    ? text
    : text
        .replace(jwtShape, redacted)
        .replace(opaqueTokenShape, `$1.${redacted}`)
        .replace(urlPassword, `$1${redacted}@`)
        .replace(queryParameter, (whole: string, head: string, name: string) => (isSecretParameter(name) ? `${head}${redacted}` : whole));

const redactObject = (value: object, seen: WeakSet<object>): Record<string, unknown> => {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const secret = field !== undefined && field !== null && field !== '' && isSecretField(key);
    copy[key] = secret ? redacted : redactValue(field, seen);
  }
  return copy;
};

/**
 * A copy of `value` with every secret redacted; the original is not touched (bunyan hands the same
 * record to every stream). Cycles become '[Circular]'; bigints become their decimal text, as JSON
 * cannot hold them.
 */
export const redactValue = (value: unknown, seen: WeakSet<object> = new WeakSet()): unknown => {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
    if (value instanceof Error) return redactObject({ name: value.name, message: value.message, stack: value.stack }, seen);
    // What JSON.stringify would write for it (a URL's href, a Buffer's bytes), then redacted.
    if (hasToJson(value)) return redactValue(value.toJSON(), seen);
    return redactObject(value, seen);
  } finally {
    // Only an object's own ancestors make a cycle; the same object twice side by side is written twice.
    seen.delete(value);
  }
};

const hasToJson = (value: object): value is { toJSON: () => unknown } => 'toJSON' in value && typeof value.toJSON === 'function';

/** A log record as it may be written. */
export const redactRecord = (record: object): Record<string, unknown> => redactObject(record, new WeakSet([record]));
