import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Context, Middleware } from 'koa';
import { breachOf, jsonLimits } from './jsonLimits.ts';
import { badRequest, HttpProblem, unsupportedMediaType } from './problem.ts';

declare module 'koa' {
  interface Request {
    /** The parsed body: a JSON object, or a form's fields where the route takes a form. */
    body?: unknown;
  }
}

/** 1 MiB: the largest command (a movie with a long overview) is a few kilobytes. */
export const bodyLimitBytes = 1_048_576;

/**
 * A route that takes `application/x-www-form-urlencoded` says so by putting this in front of its
 * handler (the OAuth2 password grant is a form by its RFC); everywhere else a form is refused, not
 * read as if it were JSON. It does nothing itself: the body reader looks for it on the route.
 */
export const acceptsFormBody: Middleware = (_ctx, next) => next();

// DELETE too: `DELETE /me` carries the password that confirms it.
const readsBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const codings = 'gzip, deflate, br, identity';

/**
 * Reads and parses the body of POST, PUT and PATCH, before anything else can look at it: JSON
 * (or a form where the route takes one), at most 1 MiB once decoded, in UTF-8, nested and long no
 * more than `jsonLimits`. Everything else is refused with a 4xx saying what was expected, so a body
 * is never silently dropped and a command never runs on defaults in its place.
 */
export const requestBody =
  (options: { readonly formAllowed: (ctx: Context) => boolean }): Middleware =>
  async (ctx, next) => {
    if (!readsBody.has(ctx.method) || !hasBody(ctx.req)) {
      await next();
      return;
    }
    const form = options.formAllowed(ctx);
    const kind =
      typeof ctx.is('application/json', '+json') === 'string'
        ? 'json'
        : form && typeof ctx.is('urlencoded') === 'string'
          ? 'form'
          : undefined;
    if (kind === undefined) {
      throw unsupportedMediaType(
        form ? 'Send the body as application/json or application/x-www-form-urlencoded' : 'Send the body as application/json',
      );
    }
    const charset = ctx.request.charset.toLowerCase();
    if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') throw unsupportedMediaType('Send the body in UTF-8');
    const text = utf8(await readBody(ctx.req, decoderFor(ctx.get('Content-Encoding'))));
    // Whitespace only is no body, as an empty one is.
    if (text.trim() !== '') ctx.request.body = kind === 'json' ? parseJson(text) : parseForm(text);
    await next();
  };

// A body is there when it has a length above zero or comes in chunks (RFC 9112 §6.3).
const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';

const decoderFor = (header: string): Transform | undefined => {
  switch (header.trim().toLowerCase()) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
      // Unzip tells gzip from zlib by the header, as clients mix the two up for "deflate".
      return createUnzip();
    case 'br':
      return createBrotliDecompress();
    default:
      // RFC 9110 §15.5.16: a 415 for a content coding says which ones are understood.
      throw new HttpProblem(415, 'Unsupported media type', `Content-Encoding must be one of ${codings}`, [], {
        'Accept-Encoding': codings,
      });
  }
};

const tooLarge = (): HttpProblem =>
  // The rest of an oversized upload is not worth reading: the connection closes after the answer.
  new HttpProblem(413, 'Payload too large', 'The request body is larger than the limit of 1 MiB', [], { Connection: 'close' });

/** The body's bytes once decoded, refused as soon as they pass the limit (a small gzip can inflate to gigabytes). */
const readBody = (request: IncomingMessage, decoder: Transform | undefined): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    if (Number(request.headers['content-length']) > bodyLimitBytes) return reject(tooLarge());
    const source = decoder === undefined ? request : request.pipe(decoder);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: HttpProblem): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      if (error === undefined) return resolve(Buffer.concat(chunks, size));
      if (decoder !== undefined) {
        request.unpipe(decoder);
        decoder.destroy();
      }
      // Drained and dropped, so that the answer can still be written.
      request.resume();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > bodyLimitBytes) settle(tooLarge());
      else chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => settle());
    // A decoder fails on bytes that are not what Content-Encoding says; the request on a client gone.
    decoder?.on('error', () => settle(badRequest(`The request body is not valid ${codingName(request)} data`)));
    request.on('error', () => settle(badRequest('The request body ended before its announced length')));
    request.once('close', () => {
      if (!request.complete) settle(badRequest('The request body ended before its announced length'));
    });
  });

const codingName = (request: IncomingMessage): string => String(request.headers['content-encoding']).trim().toLowerCase();

const decoder = new TextDecoder('utf-8', { fatal: true });

const utf8 = (bytes: Buffer): string => {
  try {
    return decoder.decode(bytes);
  } catch {
    throw badRequest('The request body is not valid UTF-8');
  }
};

const parseJson = (text: string): Record<string, unknown> => {
  // Bounded before parsing: JSON.parse itself takes a second over 500,000 nested brackets.
  const breach = breachOf(text, jsonLimits);
  if (breach?.limit === 'depth') throw badRequest(`The request body nests deeper than ${breach.max} levels`);
  if (breach?.limit === 'arrayLength') throw badRequest(`The request body has an array of more than ${breach.max} items`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  // Every body of this API is an object; an array or a scalar is no command.
  if (!isObject(parsed)) throw badRequest('The request body must be a JSON object');
  return parsed;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field given twice becomes an array, which the route's codec refuses, rather than one of them winning. */
const parseForm = (text: string): Record<string, string | string[]> => {
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const values = fields.get(name);
    if (values === undefined) fields.set(name, [value]);
    else values.push(value);
  }
  return Object.fromEntries([...fields].map(([name, values]) => [name, values.length === 1 ? (values[0] ?? '') : values]));
};
