import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadConfig } from '../../src/infrastructure/config/config.ts';
import type { Logger } from '../../src/infrastructure/logging/logger.ts';
import { startService, type RunningService } from '../../src/infrastructure/service.ts';
import { createTestDatabase, testLog, type TestDatabase } from './postgresServer.ts';

export const testJwtSecret = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** A clock the test moves by hand; it starts at the real time so tokens look ordinary. */
export interface TestClock {
  readonly now: () => Date;
  readonly advance: (seconds: number) => void;
}

export const testClock = (): TestClock => {
  let offsetMs = 0;
  return { now: () => new Date(Date.now() + offsetMs), advance: (seconds) => (offsetMs += seconds * 1000) };
};

export interface TestService {
  readonly base: string;
  readonly service: RunningService;
  readonly database: TestDatabase;
  readonly clock: TestClock;
  readonly dataDir: string;
  readonly stop: () => Promise<void>;
}

/**
 * The whole service, as `fastflix serve` builds it, on a database of its own and a random port. The
 * scrypt cost is lowered (PASSWORD_HASH_COST=10) only to keep the suite quick; the code path is the same.
 */
export const startTestService = async (
  environment: Record<string, string> = {},
  /** Another service's database, for processes that share one (left for its owner to drop). */
  shared?: TestDatabase,
  /** Where the service logs (capturingLogger() to read its lines); quiet by default. */
  log: Logger = testLog,
): Promise<TestService> => {
  const database = shared ?? (await createTestDatabase());
  const dataDir = await mkdtemp(join(tmpdir(), 'fastflix-service-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url.href,
    JWT_SECRET: testJwtSecret,
    PASSWORD_HASH_COST: '10',
    // Every test user signs in from 127.0.0.1, often many at once; the rate-limit specs set it back.
    PASSWORD_HASHES_PER_ADDRESS: '1000',
    FASTFLIX_DATA_DIR: dataDir,
    // Trending is ranked at start and then when a spec says so (computeTrendingNow), not every 5 minutes.
    TRENDING_CRON: '0 0 1 1 *',
    ...environment,
  });
  if (E.isLeft(config)) throw new Error(config.left);
  const clock = testClock();
  const service = await startService(config.right, log, { clock: clock.now });
  return {
    base: `http://127.0.0.1:${service.port}`,
    service,
    database,
    clock,
    dataDir,
    stop: async () => {
      await service.stop();
      if (shared === undefined) await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
