import { BroadcastChannel } from 'node:worker_threads';
import { Redis } from 'ioredis';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { TrendingSnapshot } from './snapshot.ts';

// Where the scheduler leaves each trending snapshot and the API finds the latest: in Redis when
// REDIS_URL is set (every API process reads it, whichever scheduler computed it), otherwise on a
// BroadcastChannel between the threads of one process (the embedded default runs every role in one).
//
//   scheduler: const out = openSnapshotPublisher({ redisUrl, channel, log }); await out.publish(snapshot);
//   api:       const reader = openSnapshotReader({ redisUrl, channel, log }); reader.current();

/** The channel between one service's threads, named for the service (as userFeedChannel, for the same reason). */
export const trendingSnapshotChannel = (serviceId: string): string => `fastflix.trending.snapshots.${serviceId}`;

const snapshotKey = 'fastflix:trending:snapshot';
const slotKeyKey = 'fastflix:trending:slot';

export interface SnapshotPublisher {
  /** The slot key of the snapshot published last, by any scheduler: a run for that slot has nothing to do. */
  readonly lastKey: () => Promise<string | undefined>;
  readonly publish: (snapshot: TrendingSnapshot) => Promise<void>;
  readonly close: () => Promise<void>;
}

export interface SnapshotReader {
  /** The latest snapshot this process has heard of; undefined before the first one. */
  readonly current: () => TrendingSnapshot | undefined;
  readonly close: () => Promise<void>;
}

type ChannelMessage = { readonly kind: 'snapshot'; readonly snapshot: TrendingSnapshot } | { readonly kind: 'ask' };

export interface SnapshotPlace {
  readonly redisUrl: URL | undefined;
  /** trendingSnapshotChannel(service id): used when there is no Redis. */
  readonly channel: string;
  readonly log: Logger;
}

const connect = (url: URL, log: Logger): Redis => {
  const redis = new Redis(url.href, { maxRetriesPerRequest: 1 });
  redis.on('error', (error) => log.debug({ err: error }, 'redis connection error (trending snapshots)'));
  return redis;
};

export const openSnapshotPublisher = (place: SnapshotPlace): SnapshotPublisher => {
  if (place.redisUrl !== undefined) {
    const redis = connect(place.redisUrl, place.log);
    return {
      lastKey: async () => (await redis.get(slotKeyKey)) ?? undefined,
      // The snapshot before its key: a reader that sees the new key finds the snapshot it names.
      publish: async (snapshot) => {
        await redis.set(snapshotKey, JSON.stringify(snapshot));
        await redis.set(slotKeyKey, snapshot.key);
      },
      close: async () => void (await redis.quit().catch(() => undefined)),
    };
  }
  let latest: TrendingSnapshot | undefined;
  const channel = new BroadcastChannel(place.channel);
  // An API thread that starts after a snapshot was published asks for it.
  channel.onmessage = (message) => {
    if ((message as { readonly data: ChannelMessage }).data.kind === 'ask' && latest !== undefined) {
      channel.postMessage({ kind: 'snapshot', snapshot: latest } satisfies ChannelMessage);
    }
  };
  return {
    lastKey: () => Promise.resolve(latest?.key),
    publish: (snapshot) => {
      latest = snapshot;
      channel.postMessage({ kind: 'snapshot', snapshot } satisfies ChannelMessage);
      return Promise.resolve();
    },
    close: () => Promise.resolve(channel.close()),
  };
};

export const openSnapshotReader = (place: SnapshotPlace, pollMs = 1_000): SnapshotReader => {
  let current: TrendingSnapshot | undefined;
  if (place.redisUrl !== undefined) {
    const redis = connect(place.redisUrl, place.log);
    // One small read a second per API process, the snapshot itself only when its slot changed: a
    // request reads memory.
    const poll = async (): Promise<void> => {
      const key = await redis.get(slotKeyKey);
      if (key === null || key === current?.key) return;
      const text = await redis.get(snapshotKey);
      if (text === null) return;
      const snapshot = JSON.parse(text) as TrendingSnapshot;
      if (current === undefined || snapshot.slot >= current.slot) current = snapshot;
    };
    const polled = (): void =>
      void poll().catch((error: unknown) => place.log.debug({ err: error }, 'could not read the trending snapshot'));
    polled();
    const timer = setInterval(polled, pollMs);
    timer.unref();
    return {
      current: () => current,
      close: async () => {
        clearInterval(timer);
        await redis.quit().catch(() => undefined);
      },
    };
  }
  const channel = new BroadcastChannel(place.channel);
  channel.onmessage = (message) => {
    const data = (message as { readonly data: ChannelMessage }).data;
    if (data.kind === 'snapshot' && (current === undefined || data.snapshot.slot >= current.slot)) current = data.snapshot;
  };
  channel.postMessage({ kind: 'ask' } satisfies ChannelMessage);
  return { current: () => current, close: () => Promise.resolve(channel.close()) };
};
