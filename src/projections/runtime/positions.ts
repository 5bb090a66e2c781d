import pg from 'pg';
import type { Logger } from '../../infrastructure/logging/logger.ts';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import { connectionTimeoutMs } from '../../infrastructure/postgres/pool.ts';

/**
 * Where runners announce their checkpoints (`<name> <position>`, also written by advance_projection in
 * SQL), and a rebuild its swap.
 */
export const positionsChannel = 'fastflix_projections';

/**
 * How far each projection has got, as this process knows it: from its own runners at once, from
 * other processes' runners through NOTIFY. Read-your-writes waits on it: a query sent with
 * `X-Min-Position: N` is answered once every projection it reads has passed N.
 */
export interface ProjectionPositions {
  readonly current: (name: string) => Position;
  /** A runner of this process committed up to `position`: learnt here, and announced to other processes. */
  readonly advanced: (name: string, position: Position) => void;
  /** As `advanced`, for a position its commit announced already. */
  readonly learned: (name: string, position: Position) => void;
  /** True once every projection named has reached `position`; false after `timeoutMs`. */
  readonly waitFor: (names: readonly string[], position: Position, timeoutMs: number) => Promise<boolean>;
  readonly close: () => Promise<void>;
}

export const createProjectionPositions = async (
  pool: pg.Pool,
  listenerConfig: pg.ClientConfig,
  log: Logger,
): Promise<ProjectionPositions> => {
  const positions = new Map<string, Position>();
  const waiters = new Set<() => void>();
  const learn = (name: string, position: Position): void => {
    if (position <= (positions.get(name) ?? -1n)) return;
    positions.set(name, position);
    waiters.forEach((wake) => wake());
  };

  const readAll = async (): Promise<void> => {
    const { rows } = await pool.query<{ name: string; position: string }>('SELECT name, position FROM projection_state');
    for (const row of rows) learn(row.name, BigInt(row.position));
  };

  // LISTEN on a connection of its own; when it drops, reconnect and read the table again, so a
  // notification missed meanwhile costs nothing.
  let closed = false;
  let listener: pg.Client | undefined;
  const listen = async (): Promise<void> => {
    while (!closed) {
      const client = new pg.Client({ connectionTimeoutMillis: connectionTimeoutMs, ...listenerConfig });
      listener = client;
      try {
        await client.connect();
        if (closed) break;
        client.on('notification', (message) => {
          const [name, position] = (message.payload ?? '').split(' ');
          if (name !== undefined && position !== undefined && /^-?\d+$/.test(position)) learn(name, BigInt(position));
        });
        await client.query(`LISTEN ${positionsChannel}`);
        await readAll();
        if (closed) break;
        await new Promise<void>((resolve) => {
          client.once('error', () => resolve());
          client.once('end', () => resolve());
        });
      } catch (error) {
        if (!closed) log.warn({ err: error }, 'projection position listener failed; retrying');
      } finally {
        listener = undefined;
        client.removeAllListeners();
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }
      if (!closed) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  await readAll();
  const listening = listen();

  // Tell other processes, at most one NOTIFY in flight, carrying the latest position of each projection.
  const unsent = new Map<string, Position>();
  let sending = false;
  const send = (): void => {
    if (sending || unsent.size === 0 || closed) return;
    sending = true;
    const batch = [...unsent];
    unsent.clear();
    // One statement for all of them: under load every runner advances many times a second, and each
    // round trip to the server costs more than the notification itself.
    pool
      .query("SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, payload) FROM unnest($2::text[]) AS payload", [
        positionsChannel,
        batch.map(([name, position]) => `${name} ${position}`),
      ])
      .catch((error: unknown) => log.warn({ err: error }, 'could not announce projection positions'))
      .finally(() => {
        sending = false;
        send();
      });
  };

  return {
    current: (name) => positions.get(name) ?? -1n,
    advanced: (name, position) => {
      learn(name, position);
      unsent.set(name, position);
      send();
    },
    learned: learn,
    waitFor: (names, position, timeoutMs) => {
      const reached = (): boolean => names.every((name) => (positions.get(name) ?? -1n) >= position);
      if (reached()) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const wake = (): void => {
          if (!reached()) return;
          finish(true);
        };
        const finish = (result: boolean): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(result);
        };
        const timer = setTimeout(() => finish(reached()), timeoutMs);
        waiters.add(wake);
      });
    },
    close: async () => {
      closed = true;
      await listener?.end().catch(() => undefined);
      await listening;
    },
  };
};
