import type { Registry } from 'prom-client';
import type { ProcessRole } from '../config/config.ts';
import type { Logger } from '../logging/logger.ts';
import { createProjectionMetrics } from '../metrics/metrics.ts';
import { startProjector } from '../projector/startProjector.ts';
import { startScheduler } from '../scheduler/startScheduler.ts';
import { lowerThreadPriority } from './threadPriority.ts';

/** The processes of DESIGN.md besides the API, each of which `fastflix serve` runs in a thread. */
export type Role = Exclude<ProcessRole, 'api'>;

/** What a role needs to know; plain values, so that they cross into a worker thread as they are. */
export interface RoleSettings {
  readonly databaseUrl: string;
  readonly eventStoreUrl: string | undefined;
  readonly poolSize: number;
  /** For pushes to users' sockets from a role's thread (src/reactors/liveFeed/userFeed.ts). */
  readonly redisUrl?: string;
  /** The service's channel to its API thread's live feed, when it serves the API (userFeed.ts). */
  readonly userFeedChannel?: string;
  /** See Config.trendingCron. */
  readonly trendingCron?: string;
  /** The service's channel for trending snapshots when there is no Redis (trendingSnapshotChannel). */
  readonly trendingChannel?: string;
  /** See Config.similarityRefreshIntervalMs. */
  readonly similarityRefreshIntervalMs?: number;
  /** Agenda's store when set; PostgreSQL (the database above) otherwise. */
  readonly mongodbUrl?: string;
  /** The job runtime's retries (JOB_RETRY_DELAY, JOB_RETRIES); src/infrastructure/jobs. */
  readonly jobs?: { readonly retryDelayMs: number; readonly retries: number };
  /** Where the mail jobs send: SMTP_URL, or .eml files in `directory` (`<FASTFLIX_DATA_DIR>/mail`). */
  readonly mail?: { readonly smtpUrl?: string; readonly directory: string };
  /** The service's secret (JWT_SECRET), from which the key that seals reset tokens awaiting their mail is derived. */
  readonly secret?: string;
}

export interface RunningRole {
  readonly stop: () => Promise<void>;
}

/** Starts a role, its metrics (if any) registered in `registry`. */
export const roles: Record<Role, (settings: RoleSettings, log: Logger, registry: Registry) => Promise<RunningRole>> = {
  projector: (settings, log, registry) => startProjector(settings, log, createProjectionMetrics(registry)),
  scheduler: (settings, log, registry) => {
    lowerThreadPriority(log);
    return startScheduler(settings, log, registry);
  },
};
