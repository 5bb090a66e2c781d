import * as t from 'io-ts';

// Text as every place it is kept can keep it. PostgreSQL's text and jsonb refuse NUL (U+0000); an
// unpaired UTF-16 surrogate is not Unicode at all: jsonb refuses it, and every UTF-8 encoder
// replaces it with U+FFFD, so that two different strings would be stored (and hashed, for a
// password) as one. Both are refused wherever text enters, never repaired.

const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored as it is, or undefined when it can. */
export const unstorableReason = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (unpairedSurrogate.test(text)) return 'must be valid Unicode (it holds an unpaired UTF-16 surrogate)';
  return undefined;
};

export const isStorableText = (text: string): boolean => unstorableReason(text) === undefined;

/**
 * A string codec whose every refusal says why: storable text first, then the caller's own rule
 * (`check` answers what is wrong, or undefined). With `normalize`, what it decodes is that form of
 * the text (NFKC for what people type and compare: e-mail addresses, passwords).
 */
export const textCodec = <B>(
  name: string,
  check: (text: string) => string | undefined,
  options: { readonly normalize?: 'NFKC' } = {},
): t.Type<t.Branded<string, B>, string, unknown> => {
  const decodeText = (input: unknown): { ok: true; text: string } | { ok: false; message: string } => {
    if (typeof input !== 'string') return { ok: false, message: `expected ${name}, got ${describe(input)}` };
    const unstorable = unstorableReason(input);
    if (unstorable !== undefined) return { ok: false, message: unstorable };
    const text = options.normalize === undefined ? input : input.normalize(options.normalize);
    const wrong = check(text);
    return wrong === undefined ? { ok: true, text } : { ok: false, message: wrong };
  };
  return new t.Type<t.Branded<string, B>, string, unknown>(
    name,
    (input): input is t.Branded<string, B> => {
      const decoded = decodeText(input);
      return decoded.ok && decoded.text === input;
    },
    (input, context) => {
      const decoded = decodeText(input);
      // The brand is exactly what these checks establish.
      return decoded.ok ? t.success(decoded.text as t.Branded<string, B>) : t.failure(input, context, decoded.message);
    },
    String,
  );
};

/** How a refused value is named in a message: its kind, never its content (it may be a secret). */
const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);
