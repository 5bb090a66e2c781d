import cors from '@koa/cors';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

// What a browser is told about every answer: helmet's hardening headers with a Content-Security-Policy
// that the two pages the service serves (/docs, Swagger UI from its package; /live, with Socket.IO's
// client script) run under, CORS for the origins an operator names, and no caching of anything a
// token was sent for.

/**
 * Everything from this origin and nothing else. No inline script anywhere (both pages load theirs as
 * files). Styles may be inline: Swagger UI's bundle adds a `<style>` element of its own (its hash
 * would change with every release of the package), and a style cannot run code. `data:` images are the icons Swagger UI's stylesheet embeds. `'self'` in
 * connect-src covers the page's own WebSocket (CSP 3 matches ws: and wss: on the same host).
 * No `upgrade-insecure-requests`: a service reached over plain HTTP (localhost, a TLS-terminating
 * proxy's backend) would otherwise have its pages load nothing.
 */
const contentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** HSTS (a year, subdomains), nosniff, DENY framing, no referrer, the policy above, and helmet's other defaults. */
export const securityHeaders = (): Middleware =>
  helmet({
    contentSecurityPolicy,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 365 * 86_400, includeSubDomains: true },
  });

/** What a script on an allowed origin may read of an answer besides the CORS-safelisted headers. */
export const exposedHeaders = [
  'X-Event-Position',
  'ETag',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
] as const;

/**
 * CORS for the origins listed (CORS_ORIGINS), none by default: a request from any other origin gets
 * no CORS header at all, so the browser keeps its answer from the script. Credentials stay off: the
 * API authenticates with a bearer token a script sends on purpose, never with cookies a browser adds
 * by itself.
 */
export const crossOrigin = (origins: readonly string[]): Middleware => {
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    credentials: false,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'If-Match', 'Idempotency-Key', 'X-Min-Position', 'X-Request-Id'],
    exposeHeaders: [...exposedHeaders],
    maxAge: 600,
  });
};

/**
 * `Cache-Control: no-store` on every answer to a request that carries a token, whatever it is (an
 * account's data, a refusal, an error): no cache, shared or the browser's, keeps a copy. Set again
 * after the route, in case one set something else.
 */
export const noStoreWhenAuthenticated: Middleware = async (ctx, next) => {
  if (ctx.get('Authorization') === '') {
    await next();
    return;
  }
  ctx.set('Cache-Control', 'no-store');
  try {
    await next();
  } finally {
    ctx.set('Cache-Control', 'no-store');
  }
};
