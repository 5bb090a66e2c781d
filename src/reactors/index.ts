import type pg from 'pg';
import type { Enqueue } from '../infrastructure/jobs/index.ts';
import type { Logger } from '../infrastructure/logging/logger.ts';
import type { UserFeed } from './liveFeed/userFeed.ts';
import { mailReactor } from './mail/reactor.ts';
import { notificationsReached } from './notificationPush/createdBy.ts';
import { notificationPush } from './notificationPush/reactor.ts';
import type { Reactor } from './runtime/index.ts';

/** What the scheduler role can give its reactors; a reactor that needs more is added here. */
export interface ReactorDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** Pushes to one user's sockets, on whichever API process holds them. */
  readonly userFeed: UserFeed;
  /** Enqueues a job of the service (src/infrastructure/jobs), once per key. */
  readonly enqueue: Enqueue;
}

/** Every reactor the scheduler role runs (see runtime/index.ts on how to write one). */
export const reactors = (dependencies: ReactorDependencies): readonly Reactor[] => [
  notificationPush({
    pool: dependencies.pool,
    notificationsReached: notificationsReached(dependencies.pool, { timeoutMs: 10_000, everyMs: 50 }),
    emitToUser: dependencies.userFeed.emit,
  }),
  mailReactor(dependencies.enqueue),
];
