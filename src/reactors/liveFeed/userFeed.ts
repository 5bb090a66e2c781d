import { BroadcastChannel } from 'node:worker_threads';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import type { JsonValue } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { userRoom } from './messages.ts';

// The port through which other parts of the service push to one user's sockets: the inbox's
// `notification.created`, the similarity job's `recommendations.updated`. Call it from any thread or
// process, after the effect it announces is committed (a reactor: inside `once`, keyed on the event):
//
//   const feed = openUserFeed({ redisUrl: config.redisUrl, apiChannel: roleSettings.userFeedChannel, log });
//   feed.emit(userId, 'notification.created', { position: event.position.toString(), id, type, createdAt });
//
// Delivery is at most once and live only: a client that was away reads GET /me/notifications or
// GET /me/recommendations when it reconnects (only movie.added and rating.recorded are replayed from
// the log with `since`). `position` is the global position of the event that caused the message.

export type UserFeedEventName = 'recommendations.updated' | 'notification.created';
export type UserFeedPayload = { readonly position: string } & { readonly [key: string]: JsonValue };

export interface UserFeed {
  readonly emit: (userId: string, event: UserFeedEventName, payload: UserFeedPayload) => void;
  readonly close: () => Promise<void>;
}

/**
 * The channel between threads of one service: its API thread's live feed listens on it. Named for the
 * service, as BroadcastChannel reaches every thread of the process by name: two services in one
 * process (the tests' two API nodes) would each hear the other's pushes and send them twice.
 */
export const userFeedChannel = (serviceId: string): string => `fastflix.liveFeed.users.${serviceId}`;

export interface UserFeedMessage {
  readonly userId: string;
  readonly event: UserFeedEventName;
  readonly payload: UserFeedPayload;
}

export const isUserFeedMessage = (value: unknown): value is UserFeedMessage =>
  typeof value === 'object' &&
  value !== null &&
  'userId' in value &&
  typeof value.userId === 'string' &&
  'event' in value &&
  (value.event === 'recommendations.updated' || value.event === 'notification.created') &&
  'payload' in value &&
  typeof value.payload === 'object' &&
  value.payload !== null &&
  'position' in value.payload &&
  typeof value.payload.position === 'string';

/**
 * In a process that serves the API, the message goes to its live feed (whatever the thread), which
 * emits through the Redis adapter to every API process when Redis is configured. In a process without
 * the API (a scheduler of its own), it goes straight to Redis (the Socket.IO Redis emitter), where
 * every API process's adapter picks it up; without Redis there is no feed to reach from there.
 */
export const openUserFeed = (options: {
  readonly redisUrl: URL | undefined;
  /** The service's channel (userFeedChannel) when it serves the API in this process; undefined when it does not. */
  readonly apiChannel: string | undefined;
  readonly log: Logger;
}): UserFeed => {
  if (options.apiChannel !== undefined) {
    const channel = new BroadcastChannel(options.apiChannel);
    return {
      emit: (userId, event, payload) => channel.postMessage({ userId, event, payload } satisfies UserFeedMessage),
      close: () => Promise.resolve(channel.close()),
    };
  }
  if (options.redisUrl !== undefined) {
    const redis = new Redis(options.redisUrl.href, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    let faulty = false;
    const fault = (error: unknown): void => {
      if (!faulty) options.log.warn({ err: error }, 'Redis is unavailable: pushes to users are dropped until it returns');
      faulty = true;
    };
    redis.on('error', fault);
    redis.on('ready', () => (faulty = false));
    // The emitter never awaits its publish: a failed one is caught here rather than left unhandled.
    const emitter = new Emitter({
      publish: (channel: string, message: string | Buffer): Promise<number> =>
        redis.publish(channel, message).catch((error: unknown) => {
          fault(error);
          return 0;
        }),
    });
    return {
      emit: (userId, event, payload) => emitter.to(userRoom(userId)).emit(event, payload),
      close: async () => void (await redis.quit().catch(() => undefined)),
    };
  }
  options.log.info('no API in this process and no Redis: pushes to users go nowhere');
  return { emit: () => undefined, close: () => Promise.resolve() };
};
