import { readFileSync } from 'node:fs';
import Router from '@koa/router';

// `GET /live`: a page where a person signs in and watches new movies and their own notifications
// arrive over Socket.IO. Plain files read once at start; the script is a file of its own, never
// inline, so that a strict Content-Security-Policy (script-src 'self') lets it run.

const page = (name: string): string => readFileSync(new URL(`./live/${name}`, import.meta.url), 'utf8');

const files = {
  '/live': { body: page('live.html'), type: 'text/html; charset=utf-8' },
  '/live/live.js': { body: page('live.js'), type: 'text/javascript; charset=utf-8' },
  '/live/live.css': { body: page('live.css'), type: 'text/css; charset=utf-8' },
} as const;

export const liveRoutes = (): Router => {
  const router = new Router();
  for (const [path, file] of Object.entries(files)) {
    router.get(path, (ctx) => {
      ctx.type = file.type;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = file.body;
    });
  }
  return router;
};
