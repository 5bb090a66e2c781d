/**
 * How deep and how long a JSON request body may be. No command nests more than three levels (a movie's
 * `externalIds`), and the longest array a client sends is a movie's genres; the bounds leave room for
 * that many times over while keeping everything that walks a body recursively (hashing it for
 * `Idempotency-Key`, decoding it) far from the stack's limit.
 */
export interface JsonLimits {
  readonly maxDepth: number;
  readonly maxArrayLength: number;
}

export const jsonLimits: JsonLimits = { maxDepth: 32, maxArrayLength: 1_000 };

/** Which bound a text breaks, said so that a client can fix its request. */
export type JsonLimitBreach = { readonly limit: 'depth'; readonly max: number } | { readonly limit: 'arrayLength'; readonly max: number };

const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const comma = 0x2c;

/**
 * One pass over the raw text, before `JSON.parse` sees it: parsing 500,000 nested brackets takes V8
 * over a second, and what is refused here costs a scan. Only structure outside strings counts; a text
 * that is not JSON at all is left for the parser to refuse. Array items are counted by their commas,
 * so an array is refused as soon as its comma count reaches the bound (one item more than allowed).
 */
export const breachOf = (text: string, limits: JsonLimits = jsonLimits): JsonLimitBreach | undefined => {
  // Per open container: -1 for an object, else the commas seen so far in that array.
  const commas: number[] = [];
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === backslash) index++;
      else if (code === quote) inString = false;
      continue;
    }
    switch (code) {
      case quote:
        inString = true;
        break;
      case openBrace:
      case openBracket:
        if (commas.length === limits.maxDepth) return { limit: 'depth', max: limits.maxDepth };
        commas.push(code === openBrace ? -1 : 0);
        break;
      case closeBrace:
      case closeBracket:
        commas.pop();
        break;
      case comma: {
        const last = commas.length - 1;
        const seen = commas[last];
        if (seen === undefined || seen < 0) break;
        if (seen + 1 >= limits.maxArrayLength) return { limit: 'arrayLength', max: limits.maxArrayLength };
        commas[last] = seen + 1;
        break;
      }
    }
  }
  return undefined;
};
