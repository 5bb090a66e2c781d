import pg from 'pg';
import type { Logger } from '../../logging/logger.ts';
import { connectionTimeoutMs } from '../../postgres/pool.ts';

const channel = 'fastflix_events';

/**
 * Wakes subscribers when events may have been appended: at once for appends made by this process, and
 * through LISTEN/NOTIFY for appends made by others.
 *
 * The NOTIFY is sent after the append has committed, in a transaction of its own, never inside the
 * append: PostgreSQL serialises the commits of every transaction that notifies (a global lock held
 * through the commit), which would undo group commit for concurrent appenders. Notifications are
 * coalesced to at most one in flight per process: a listener only needs to know "read again", not
 * how many times.
 */
export interface EventNotifications {
  /** Calls `wake` whenever events may have been appended; returns the unsubscribe. */
  readonly subscribe: (wake: () => void) => () => void;
  /** After a local append has committed. */
  readonly announce: () => void;
  readonly close: () => Promise<void>;
}

export const createEventNotifications = (
  pool: pg.Pool,
  listenerConfig: pg.ClientConfig,
  log: Logger,
  minNotifyIntervalMs = 5,
): EventNotifications => {
  const wakers = new Set<() => void>();
  const wakeAll = (): void => wakers.forEach((wake) => wake());
  let closed = false;
  let listener: pg.Client | undefined;
  let reconnectDelayMs = 100;

  const listen = async (): Promise<void> => {
    if (closed || listener !== undefined) return;
    const client = new pg.Client({ connectionTimeoutMillis: connectionTimeoutMs, ...listenerConfig });
    listener = client;
    client.on('notification', wakeAll);
    client.on('error', (error) => {
      log.warn({ err: error }, 'event notification listener lost its connection; reconnecting');
      void reconnect(client);
    });
    client.on('end', () => void reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      reconnectDelayMs = 100;
      // Anything appended while we were not listening is found by reading again.
      wakeAll();
    } catch (error) {
      if (closed) return;
      log.warn({ err: error }, 'could not listen for event notifications; retrying');
      await reconnect(client);
    }
  };

  const reconnect = async (client: pg.Client): Promise<void> => {
    if (listener !== client) return;
    listener = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
    if (closed || wakers.size === 0) return;
    await new Promise((wake) => setTimeout(wake, reconnectDelayMs));
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, 5_000);
    await listen();
  };

  // At most one NOTIFY in flight and one per `minNotifyIntervalMs`: under load that is a few hundred
  // small transactions a second however many appends there are, for at most that much added latency.
  let inFlight = false;
  let again = false;
  let lastSentAt = 0;
  const notify = (): void => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const wait = Math.max(0, lastSentAt + minNotifyIntervalMs - Date.now());
    setTimeout(() => {
      lastSentAt = Date.now();
      // A notification needs no durability of its own, so its commit does not wait for the disk.
      pool
        .query({ name: 'fastflix_notify', text: `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${channel}', '')` })
        .catch((error: unknown) => log.warn({ err: error }, 'could not send an event notification'))
        .finally(() => {
          inFlight = false;
          if (again && !closed) {
            again = false;
            notify();
          }
        });
    }, wait);
  };

  return {
    subscribe: (wake) => {
      wakers.add(wake);
      void listen();
      return () => wakers.delete(wake);
    },
    announce: () => {
      wakeAll();
      if (!closed) notify();
    },
    close: async () => {
      closed = true;
      const client = listener;
      listener = undefined;
      if (client !== undefined) {
        client.removeAllListeners();
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }
      while (inFlight) await new Promise((wake) => setTimeout(wake, 5));
    },
  };
};
