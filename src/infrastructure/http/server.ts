import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../logging/logger.ts';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes every connection. */
  readonly close: () => Promise<void>;
}

export const listen = async (
  app: Koa<never> | Koa,
  options: { readonly host: string; readonly port: number; readonly shutdownTimeoutMs: number; readonly log: Logger },
): Promise<RunningServer> => {
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  // Keep-alive connections outliving the load balancer's idle timeout avoid spurious 502s.
  server.keepAliveTimeout = 65_000;
  let closing = false;
  // Once closing, a keep-alive connection is closed as soon as its request in flight is answered.
  server.on('request', (_request, response) =>
    response.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        const force = setTimeout(() => {
          options.log.warn('in-flight requests did not finish before the shutdown timeout; closing their connections');
          server.closeAllConnections();
        }, options.shutdownTimeoutMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive connections would otherwise hold `close` open until they time out.
        server.closeIdleConnections();
      }),
  };
};
