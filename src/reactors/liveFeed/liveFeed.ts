import type { Server as HttpServer } from 'node:http';
import { BroadcastChannel } from 'node:worker_threads';
import * as E from 'fp-ts/lib/Either.js';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { Server, type DefaultEventsMap, type Socket } from 'socket.io';
import type { EndedSessions } from '../../infrastructure/auth/endedSessions.ts';
import type { TokenService } from '../../infrastructure/auth/tokens.ts';
import type { EventStore } from '../../infrastructure/eventStore/eventStore.ts';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import { redisFeedLink, type RedisFeedLink } from '../../infrastructure/socket/redisAdapter.ts';
import { checkHandshake, type FeedClient } from './handshake.ts';
import { entitled, everyoneRoom, userRoom, type FeedMessage } from './messages.ts';
import { missedFromLog } from './missedFromLog.ts';
import { recentMessages } from './recentMessages.ts';
import { followFeedEvents } from './followFeedEvents.ts';
import { isUserFeedMessage, type UserFeedEventName, type UserFeedPayload } from './userFeed.ts';

// Socket.IO on the API's HTTP server (same port). Each API process follows the log itself and emits
// movie.added and rating.recorded to its own sockets only: no event of the log travels through Redis,
// so several processes never deliver one twice, and a Redis outage loses none of them. What is pushed
// rather than logged (notification.created, recommendations.updated: userFeed.ts) goes through the
// Socket.IO Redis adapter to every process when REDIS_URL is set.
//
// A client connects with auth: { token, since? }. Without `since` it is live from the moment it
// joins; with it, it is first sent every message it may see after `since` (from memory when the
// feed's last 10,000 messages reach back that far, from the log otherwise), and joins its rooms in
// the same tick as the last of them is sent: the feed emits a batch and moves its position in one
// tick too, so nothing falls between (no gap) and nothing is sent both ways (no duplicate). Either
// way a `live` message ({ position }) says where live delivery starts.

export interface LiveFeedOptions {
  readonly server: HttpServer;
  readonly store: EventStore;
  readonly tokens: Pick<TokenService, 'verifyAccessToken'>;
  readonly endedSessions: Pick<EndedSessions, 'ended'>;
  readonly redisUrl: URL | undefined;
  /** Where the service's other threads push to users (userFeed.ts's userFeedChannel). */
  readonly userFeedChannel: string;
  readonly log: Logger;
  /** Milliseconds since the epoch (tests move it): when access tokens expire. */
  readonly now: () => number;
  readonly registry?: Registry;
  /** At most this many events of the feed's types are replayed; beyond, the client is told to resync. */
  readonly window?: number;
  /** How often sockets are checked for ended sessions and expired tokens. */
  readonly sweepMs?: number;
}

export interface LiveFeed {
  /** Emits to one user's sockets on every API process (see userFeed.ts for other threads and processes). */
  readonly emitToUser: (userId: string, event: UserFeedEventName, payload: UserFeedPayload) => void;
  readonly close: () => Promise<void>;
}

const sinceWaitMs = 10_000;

export const startLiveFeed = async (options: LiveFeedOptions): Promise<LiveFeed> => {
  const log = options.log.child({ component: 'live-feed' });
  const window = options.window ?? 10_000;
  const io = new Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, FeedClient>(options.server, { serveClient: true });
  let link: RedisFeedLink | undefined;
  if (options.redisUrl !== undefined) {
    link = redisFeedLink(options.redisUrl, log);
    io.adapter(link.adapter);
  }
  const metrics = feedMetrics(options.registry, () => io.of('/').sockets.size);
  const start = (await options.store.headPosition()) ?? -1n;
  const recent = recentMessages(start, window);
  const feed = followFeedEvents(options.store, start, log, (message) => {
    recent.add(message);
    io.local.to(message.room).emit(message.name, message.payload);
    metrics.sent.inc({ event: message.name });
  });

  type FeedSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, FeedClient>;
  const clients = new Map<FeedSocket, FeedClient>();

  io.use((socket, next) => {
    const checked = checkHandshake(socket.handshake.auth, options.tokens, options.endedSessions);
    if (E.isLeft(checked)) {
      metrics.refused.inc();
      next(new Error(checked.left));
      return;
    }
    const since = checked.right.since;
    // Up to what the feed has read, `since` is a position of the log: no query (a reconnection storm
    // of thousands would otherwise queue for the pool). Beyond it, the log's head decides.
    if (since === undefined || since <= feed.position()) {
      socket.data = checked.right;
      next();
      return;
    }
    options.store.headPosition().then(
      (head) => {
        if (head === null || since > head) {
          metrics.refused.inc();
          next(new Error(`since ${since} is ahead of the log: its last position is ${head ?? 'none (the log is empty)'}`));
          return;
        }
        socket.data = checked.right;
        next();
      },
      (error: unknown) => {
        log.warn({ err: error }, 'could not read the head of the log for a handshake');
        next(new Error('the event log cannot be read just now: try again in a moment'));
      },
    );
  });

  const admit = async (socket: FeedSocket, client: FeedClient): Promise<void> => {
    const started = performance.now();
    const wanted = (message: FeedMessage): boolean => entitled(message, client.userId);
    const send = (messages: readonly FeedMessage[]): void => {
      for (const message of messages) socket.emit(message.name, message.payload);
    };
    const join = (): void => {
      if (!socket.connected) return;
      void socket.join([everyoneRoom, userRoom(client.userId)]);
      socket.emit('live', { position: feed.position().toString() });
    };
    const resync = (why: string): void => {
      metrics.resyncs.inc();
      socket.emit('resync', { position: feed.position().toString(), reason: why });
      join();
    };
    if (client.since === undefined) {
      join();
      return;
    }
    let cursor = client.since;
    // The client may have seen an event this process has not read yet: wait for the feed to pass it.
    if (!(await feed.reached(cursor, sinceWaitMs))) return resync(`this server has not read up to ${cursor} yet`);
    let replayed = 0;
    for (;;) {
      if (!socket.connected) return;
      // Synchronous from here to `join` when memory reaches back: nothing can be emitted in between.
      if (cursor >= recent.coveredFrom()) {
        const missed = recent.after(cursor).filter(wanted);
        send(missed);
        join();
        metrics.catchUp.observe({ source: replayed === 0 ? 'memory' : 'log' }, (performance.now() - started) / 1000);
        return;
      }
      const upTo = recent.coveredFrom();
      const read = await missedFromLog(options.store, cursor, upTo, window - replayed, wanted);
      if (read.kind === 'too-many') return resync(`more than ${window} events were missed: read the current state over HTTP`);
      send(read.messages);
      replayed += Math.max(1, read.messages.length);
      cursor = upTo;
    }
  };

  io.on('connection', (socket) => {
    const client = socket.data;
    clients.set(socket, client);
    socket.on('disconnect', () => clients.delete(socket));
    admit(socket, client).catch((error: unknown) => {
      log.warn({ err: error }, 'could not replay missed events to a client; disconnecting it');
      socket.emit('resync', { position: feed.position().toString(), reason: 'the missed events could not be read' });
      socket.disconnect(true);
    });
  });

  // Ended sessions and expired tokens: the client reconnects with a fresh token.
  const sweep = setInterval(() => {
    const nowSeconds = options.now() / 1000;
    for (const [socket, client] of clients) {
      const reason = options.endedSessions.ended({ sub: client.userId, sid: client.sessionId, iat: client.iat })
        ? 'the session has ended'
        : nowSeconds >= client.exp
          ? 'the access token has expired'
          : undefined;
      if (reason === undefined) continue;
      clients.delete(socket);
      metrics.ended.inc();
      socket.emit('session.ended', { reason });
      socket.disconnect(true);
    }
  }, options.sweepMs ?? 1_000);
  sweep.unref();

  const emitToUser = (userId: string, event: UserFeedEventName, payload: UserFeedPayload): void => {
    io.to(userRoom(userId)).emit(event, payload);
    metrics.sent.inc({ event });
  };
  const channel = new BroadcastChannel(options.userFeedChannel);
  channel.onmessage = (message) => {
    const data: unknown = typeof message === 'object' && message !== null && 'data' in message ? message.data : undefined;
    if (isUserFeedMessage(data)) emitToUser(data.userId, data.event, data.payload);
  };

  log.info({ from: start.toString(), redis: link !== undefined }, 'live feed started');
  return {
    emitToUser,
    close: async () => {
      clearInterval(sweep);
      channel.close();
      await feed.close();
      io.local.disconnectSockets(true);
      io.engine.close();
      await link?.close();
    },
  };
};

const feedMetrics = (registry: Registry | undefined, connected: () => number) => {
  const registers = registry === undefined ? [] : [registry];
  return {
    connected: new Gauge({
      name: 'fastflix_live_feed_sockets',
      help: 'Sockets connected to this process',
      registers,
      collect() {
        this.set(connected());
      },
    }),
    sent: new Counter({
      name: 'fastflix_live_feed_messages_total',
      help: 'Messages emitted by event name',
      labelNames: ['event'],
      registers,
    }),
    refused: new Counter({ name: 'fastflix_live_feed_handshakes_refused_total', help: 'Handshakes refused (token, since)', registers }),
    ended: new Counter({
      name: 'fastflix_live_feed_sessions_ended_total',
      help: 'Sockets disconnected for an ended session or an expired token',
      registers,
    }),
    resyncs: new Counter({ name: 'fastflix_live_feed_resyncs_total', help: 'Clients told to resync instead of a replay', registers }),
    catchUp: new Histogram({
      name: 'fastflix_live_feed_catch_up_seconds',
      help: 'From connection to live for clients that gave since, by where the missed events came from',
      labelNames: ['source'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 1, 2.5, 10],
      registers,
    }),
  };
};
