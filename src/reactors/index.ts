import type pg from 'pg';
import type { Enqueue } from '../infrastructure/jobs/index.ts';
import type { Logger } from '../infrastructure/logging/logger.ts';
import type { UserFeed } from './liveFeed/userFeed.ts';
import { mailReactor } from './mail/reactor.ts';
import { notificationPush } from './notificationPush/reactor.ts';
import { recommendationsPush } from './recommendationsPush/reactor.ts';
import type { TopTen } from './recommendationsPush/topTen.ts';
import type { Reactor } from './runtime/index.ts';
import { projectionReached } from './runtime/projectionReached.ts';

/** What the scheduler role can give its reactors; a reactor that needs more is added here. */
export interface ReactorDependencies {
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** Pushes to one user's sockets, on whichever API process holds them. */
  readonly userFeed: UserFeed;
  /** A user's ten best recommendations now (the query's own computation, given by the scheduler). */
  readonly topTen: TopTen;
  /** Enqueues a job of the service (src/infrastructure/jobs), once per key. */
  readonly enqueue: Enqueue;
}

/** How long a push waits for the read model it reports on, looking every `everyMs`. */
const readModelWait = { timeoutMs: 10_000, everyMs: 50 };

/** Every reactor the scheduler role runs (see runtime/index.ts on how to write one). */
export const reactors = (dependencies: ReactorDependencies): readonly Reactor[] => [
  notificationPush({
    pool: dependencies.pool,
    notificationsReached: projectionReached(dependencies.pool, 'notifications', readModelWait),
    emitToUser: dependencies.userFeed.emit,
  }),
  recommendationsPush({
    cowatchReached: projectionReached(dependencies.pool, 'cowatch', readModelWait),
    topTen: dependencies.topTen,
    emitToUser: dependencies.userFeed.emit,
  }),
  mailReactor(dependencies.enqueue),
];
