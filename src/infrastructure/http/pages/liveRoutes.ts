import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import { documented } from '../openapi/routeDoc.ts';

// `GET /live`: a page where a person signs in and watches new movies and their own notifications
// arrive over Socket.IO. Plain files read once at start; the script is a file of its own, never
// inline, so that a strict Content-Security-Policy (script-src 'self') lets it run.

const page = (name: string): string => readFileSync(new URL(`./live/${name}`, import.meta.url), 'utf8');

const files = {
  '/live': {
    body: page('live.html'),
    type: 'text/html; charset=utf-8',
    summary: 'The live page: new movies and my notifications as they happen',
  },
  '/live/live.js': { body: page('live.js'), type: 'text/javascript; charset=utf-8', summary: "The live page's script" },
  '/live/live.css': { body: page('live.css'), type: 'text/css; charset=utf-8', summary: "The live page's styles" },
} as const;

export const liveRoutes = (): Router => {
  const router = new Router();
  for (const [path, file] of Object.entries(files)) {
    router.get(
      path,
      documented({
        summary: file.summary,
        tag: 'live',
        answers: { 200: { description: 'The file', type: file.type.split(';')[0] ?? file.type, example: file.body.slice(0, 15) } },
      }),
      (ctx) => {
        ctx.type = file.type;
        ctx.set('Cache-Control', 'no-cache');
        ctx.body = file.body;
      },
    );
  }
  return router;
};
