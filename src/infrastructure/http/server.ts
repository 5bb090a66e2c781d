import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../logging/logger.ts';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /**
   * Stops accepting, lets the requests in flight finish (up to the timeout), and resolves once every
   * handler has returned: only then may the pools they use be closed.
   */
  readonly close: () => Promise<void>;
}

export const listen = async (
  app: Koa<never> | Koa,
  options: { readonly host: string; readonly port: number; readonly shutdownTimeoutMs: number; readonly log: Logger },
): Promise<RunningServer> => {
  const handle = app.callback();
  // Handlers in flight, counted until they return: a client that hangs up does not end its
  // handler, which may still be using the database when the connection is long gone.
  let handling = 0;
  let drained: (() => void) | undefined;
  const server = createServer((request, response) => {
    handling++;
    void handle(request, response).finally(() => {
      handling--;
      if (handling === 0) drained?.();
    });
  });
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
    // A backlog of 4,096 (Node's default is 511): thousands of sockets reconnecting at once to the
    // live feed would otherwise overflow it, and their connections wait out SYN retries of 1, 3, 7 s...
    server.listen({ port: options.port, host: options.host, backlog: 4_096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  const close = async (): Promise<void> => {
    closing = true;
    const force = setTimeout(() => {
      options.log.warn('requests in flight did not finish before the shutdown timeout; closing their connections');
      server.closeAllConnections();
      drained?.();
    }, options.shutdownTimeoutMs);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive connections would otherwise hold `close` open until they time out.
    server.closeIdleConnections();
    await closed;
    if (handling > 0) await new Promise<void>((resolve) => (drained = resolve));
    clearTimeout(force);
  };
  return { server, port, close };
};
