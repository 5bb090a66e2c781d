import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.ts';

export interface RedisFeedLink {
  readonly adapter: ReturnType<typeof createAdapter>;
  /** Errors seen from Redis since start (each is logged only when it follows a healthy spell). */
  readonly faults: () => number;
  readonly close: () => Promise<void>;
}

/**
 * The Socket.IO Redis (Pub/Sub) adapter, so that an emit to a room on one API process reaches that
 * room's sockets on every other. Redis going away must not stop this process: its sockets still get
 * what it emits (the adapter delivers locally whatever the publish does), a failed publish is dropped
 * rather than left as an unhandled rejection, the fault is logged once, and the clients reconnect and
 * resubscribe by themselves when Redis returns.
 */
export const redisFeedLink = (redisUrl: URL, log: Logger): RedisFeedLink => {
  // No offline queue: while Redis is away a publish fails at once instead of piling up in memory.
  const pub = new Redis(redisUrl.href, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = new Redis(redisUrl.href, { maxRetriesPerRequest: null });
  let faulty = false;
  let faults = 0;
  const fault = (error: unknown): void => {
    faults++;
    if (faulty) return;
    faulty = true;
    log.warn({ err: error }, 'Redis is unavailable: the live feed serves only this process until it returns');
  };
  const recovered = (): void => {
    if (!faulty) return;
    faulty = false;
    log.info('Redis is back: the live feed is shared with the other API processes again');
  };
  for (const client of [pub, sub]) {
    client.on('error', fault);
    client.on('ready', recovered);
  }
  // What the adapter uses of its publishing client: publish (whose promise it never awaits), and its events.
  const publisher = {
    publish: (channel: string, message: string | Buffer): Promise<number> =>
      pub.publish(channel, message).catch((error: unknown) => {
        fault(error);
        return 0;
      }),
    on: pub.on.bind(pub),
    off: pub.off.bind(pub),
    listenerCount: pub.listenerCount.bind(pub),
  };
  return {
    adapter: createAdapter(publisher, sub),
    faults: () => faults,
    close: async () => {
      pub.disconnect();
      sub.disconnect();
      await Promise.resolve();
    },
  };
};
