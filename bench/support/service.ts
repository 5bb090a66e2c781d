import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { EventStore } from '../../src/infrastructure/eventStore/eventStore.ts';
import { createEventNotifications } from '../../src/infrastructure/eventStore/postgres/notifications.ts';
import { createPostgresEventStore } from '../../src/infrastructure/eventStore/postgres/postgresEventStore.ts';
import { createPool } from '../../src/infrastructure/postgres/pool.ts';
import { freePort, testLog } from '../../test/support/postgresServer.ts';
import { fromBench, startHttpProcess, type RunningProcess } from './processes.ts';
import { round } from './stats.ts';

/** A `fastflix serve` process on the embedded default, with the bench's own handles on its database. */
export interface BenchService {
  readonly base: string;
  /** What a `fastflix` CLI process needs to share the service's embedded PostgreSQL. */
  readonly env: Readonly<Record<string, string>>;
  readonly url: URL;
  readonly store: EventStore;
  readonly pool: pg.Pool;
  /** The service's JWT secret, for benches that sign tokens the service accepts. */
  readonly jwtSecret: string;
  readonly stop: () => Promise<void>;
}

/** `fastflix serve` on a fresh embedded PostgreSQL (nothing configured), and an event store of our own on the same database. */
export const startBenchService = async (): Promise<BenchService> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-bench-'));
  // Run as root, the embedded server runs as the postgres user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const servicePort = await freePort();
  const base = `http://127.0.0.1:${servicePort}`;
  // Trending is ranked every minute (the default is every 5): the benches load a catalogue after the
  // start and measure within minutes.
  const env = {
    LOG_LEVEL: 'warn',
    FASTFLIX_DATA_DIR: dataDir,
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    TRENDING_CRON: '* * * * *',
    // Every bench client is 127.0.0.1, one address: at the default (5,000 a second) the general limit
    // would answer most of a load 429. What the limiter costs is measured by bench/commands, side by side.
    RATE_LIMIT_REQUESTS: '999999999/10s',
  };
  let service: RunningProcess;
  try {
    service = await startHttpProcess(
      [fromBench('bin/fastflix.js'), 'serve'],
      { ...env, HOST: '127.0.0.1', PORT: String(servicePort) },
      `${base}/readyz`,
    );
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
  const jwtSecret = (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
  const url = new URL(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/fastflix`);
  const pool = createPool(url, 8, 'bench');
  const notifications = createEventNotifications(pool, { connectionString: url.href }, testLog);
  const store = createPostgresEventStore({ pool, notifications });
  return {
    base,
    env,
    url,
    store,
    pool,
    jwtSecret,
    stop: async () => {
      // Our connections first: the service leaves the embedded server running while others use it.
      await store.close();
      await notifications.close();
      await pool.end();
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** Every live projection's checkpoint, by name (rebuilds, `<name>@rebuild`, left out). */
export const projectionCheckpoints = async (pool: pg.Pool): Promise<{ name: string; position: bigint; status: string }[]> => {
  const { rows } = await pool.query<{ name: string; position: string; status: string }>(
    "SELECT name, position, status FROM projection_state WHERE name NOT LIKE '%@%'",
  );
  return rows.map((row) => ({ name: row.name, position: BigInt(row.position), status: row.status }));
};

/** Waits until every running projection has passed the head of the log; answers how long that took. */
export const waitUntilCaughtUp = async (service: Pick<BenchService, 'store' | 'pool'>, label: string, pollMs = 500): Promise<number> => {
  const head = (await service.store.headPosition()) ?? -1n;
  const started = performance.now();
  let lastReport = started;
  for (;;) {
    const rows = await projectionCheckpoints(service.pool);
    const behind = rows.filter((row) => row.status === 'running' && row.position < head);
    const stopped = rows.filter((row) => row.status !== 'running').map((row) => row.name);
    if (stopped.length > 0) console.log(`  (projections stopped at a parked event, not waited for: ${stopped.join(', ')})`);
    if (behind.length === 0 && rows.some((row) => row.name === 'catalogue')) break;
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      console.log(`  ${label}: waiting for ${behind.map((row) => `${row.name} at ${row.position}`).join(', ')} (head ${head})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const ms = performance.now() - started;
  console.log(`  ${label}: every projection caught up ${round(ms / 1000, 1)} s after the last append`);
  return ms;
};
