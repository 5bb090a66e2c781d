import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import * as t from 'io-ts';
import { generateDocument, type GeneratedDocument } from './document.ts';
import { documented } from './routeDoc.ts';
import { docsPage, swaggerInitializer } from './docsPage.ts';

// `GET /openapi.json` (generated from the routers once, on first request) and `GET /docs`: Swagger UI
// from the swagger-ui-dist package, served from its folder, nothing from a CDN. The page has no
// inline script (a strict Content-Security-Policy forbids them): its initializer is a file of its own.

const require = createRequire(import.meta.url);
const swaggerUiFolder = dirname(require.resolve('swagger-ui-dist/package.json'));

/** This service's version, for the document's `info`. */
const manifest: unknown = require('../../../../package.json');
export const packageVersion =
  typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string'
    ? manifest.version
    : '0.0.0';

/**
 * The package's files the page loads (and their source maps, which browsers' tools ask for); nothing else is served.
 * A Map, not an object: a path such as `/docs/valueOf` must find nothing, not Object.prototype's member.
 */
const assets: ReadonlyMap<string, string> = new Map(
  Object.entries({
    'swagger-ui.css': 'text/css; charset=utf-8',
    'swagger-ui.css.map': 'application/json',
    'index.css': 'text/css; charset=utf-8',
    'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
    'swagger-ui-bundle.js.map': 'application/json',
    'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
    'swagger-ui-standalone-preset.js.map': 'application/json',
    'favicon-32x32.png': 'image/png',
    'favicon-16x16.png': 'image/png',
  }),
);

const assetNames = [...assets.keys()];

export const apiDocsRoutes = (
  /** Every router the service serves, this one included: asked when the document is first wanted. */
  routers: () => readonly Router[],
  info: { readonly title: string; readonly version: string },
): Router => {
  const router = new Router();
  let generated: GeneratedDocument | undefined;
  const cached = new Map<string, Promise<Buffer>>();

  router.get(
    '/openapi.json',
    documented({
      summary: 'This API as an OpenAPI 3.1 document',
      description: "Generated from the routes' own codecs at the first request",
      tag: 'documentation',
      answers: { 200: { description: 'The OpenAPI document', type: 'application/json', example: { openapi: '3.1.0' } } },
    }),
    (ctx) => {
      generated ??= generateDocument(routers(), info);
      ctx.body = generated.document;
    },
  );

  router.get(
    '/docs',
    documented({
      summary: 'This API, browsable (Swagger UI)',
      tag: 'documentation',
      answers: { 200: { description: 'The page', type: 'text/html', example: '<!DOCTYPE html>' } },
    }),
    (ctx) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = docsPage;
    },
  );

  router.get(
    '/docs/:file',
    documented({
      summary: "The page's scripts, styles and icons",
      tag: 'documentation',
      params: { file: t.keyof(Object.fromEntries(['swagger-initializer.js', ...assetNames].map((name) => [name, null]))) },
      answers: { 200: { description: 'The file', type: [...new Set(['text/javascript; charset=utf-8', ...assets.values()])] } },
      problems: { 404: 'No such file' },
    }),
    async (ctx) => {
      const file = ctx.params.file ?? '';
      ctx.set('Cache-Control', 'public, max-age=3600');
      if (file === 'swagger-initializer.js') {
        ctx.type = 'text/javascript; charset=utf-8';
        ctx.body = swaggerInitializer;
        return;
      }
      const type = assets.get(file);
      // Unset: the error handler answers 404 with a problem.
      if (type === undefined) return;
      let content = cached.get(file);
      if (content === undefined) {
        content = readFile(join(swaggerUiFolder, file));
        cached.set(file, content);
      }
      ctx.type = type;
      ctx.body = await content;
    },
  );

  return router;
};
