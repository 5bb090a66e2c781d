import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { similarityRefreshIntervalMs } from '../../projections/cowatch/model.ts';
import { defaultTrendingCron } from '../../queries/trendingMovies/aggregationJob.ts';
import { snapshotSources } from '../../queries/trendingMovies/snapshot.ts';
import { createProjectionPositions } from '../../projections/runtime/positions.ts';
import { openSnapshotPublisher, trendingSnapshotChannel } from '../../queries/trendingMovies/snapshots.ts';
import { openUserFeed } from '../../reactors/liveFeed/userFeed.ts';
import { pushAfterSimilarity } from '../../reactors/recommendationsPush/afterSimilarity.ts';
import { startReactorRole } from '../../reactors/runtime/reactorRole.ts';
import { createJobMetrics, startJobRuntime } from '../jobs/index.ts';
import { serviceJobs } from '../jobs/serviceJobs.ts';
import type { Logger } from '../logging/logger.ts';
import { createFileMailer, createSmtpMailer } from '../mail/mailer.ts';
import { createResetOutbox } from '../mail/resetOutbox.ts';
import { openEventStore } from '../eventStore/openEventStore.ts';
import { recipientsFrom } from '../../reactors/mail/recipients.ts';
import { createPool } from '../postgres/pool.ts';
import { createQueryPool } from '../postgres/slonik.ts';
import type { RoleSettings, RunningRole } from '../threads/roles.ts';
import { topTenOf } from './topTen.ts';

/** A top-ten computation is a few read-model queries; this bounds one that went wrong. */
const topTenStatementTimeoutMs = 30_000;

/**
 * The `scheduler` process of DESIGN.md: work done on a timer or for an event rather than for a
 * request. The job runtime (Agenda, src/infrastructure/jobs) with the service's jobs, among them the
 * similarity tables behind "also watched" and recommendations, recomputed when the co-watch read model
 * changed (cowatch/refreshJob.ts), after which the users whose top ten changed are told
 * (recommendationsPush); and the reactors, which enqueue jobs and push to users among other effects. Each part started is stopped
 * again, in reverse order, on stop or when a later part fails to start: Agenda's LISTEN connection
 * and its locks never outlive the role.
 */
export const startScheduler = async (settings: RoleSettings, log: Logger, registry: Registry): Promise<RunningRole> => {
  const databaseUrl = new URL(settings.databaseUrl);
  const pool = createPool(databaseUrl, 4, 'scheduler');
  const closers: (() => Promise<void>)[] = [() => pool.end()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => log.warn({ err: error }, 'error while stopping the scheduler'));
    }
  };
  try {
    const mail = settings.mail ?? { directory: join('var', 'mail') };
    const mailer = mail.smtpUrl === undefined ? createFileMailer(mail.directory) : createSmtpMailer(new URL(mail.smtpUrl));
    closers.push(() => Promise.resolve(mailer.close()));
    const resetOutbox = settings.secret === undefined ? undefined : createResetOutbox(pool, settings.secret);
    // The welcome job reads its recipient through the sealing store, when it sends (reactors/mail/recipients.ts).
    const { store } = await openEventStore({ eventStoreUrl: settings.eventStoreUrl, secret: settings.secret }, pool, databaseUrl, log);
    closers.push(() => store.close());
    const db = await createQueryPool(databaseUrl, 2, topTenStatementTimeoutMs);
    closers.push(() => db.end());
    const userFeed = openUserFeed({
      redisUrl: settings.redisUrl === undefined ? undefined : new URL(settings.redisUrl),
      apiChannel: settings.userFeedChannel,
      log,
    });
    closers.push(userFeed.close);
    const topTen = topTenOf(db);
    const trendingSnapshots = openSnapshotPublisher({
      redisUrl: settings.redisUrl === undefined ? undefined : new URL(settings.redisUrl),
      channel: settings.trendingChannel ?? trendingSnapshotChannel('standalone'),
      log,
    });
    closers.push(trendingSnapshots.close);
    // As read-your-writes knows them (NOTIFY): the table alone lags behind events a read model skips.
    const positions = await createProjectionPositions(
      pool,
      { connectionString: databaseUrl.href, application_name: 'fastflix-trending-positions' },
      log,
    );
    closers.push(positions.close);
    const jobs = await startJobRuntime({
      store: { pool, mongodbUrl: settings.mongodbUrl === undefined ? undefined : new URL(settings.mongodbUrl) },
      jobs: serviceJobs({
        pool,
        log,
        mailer,
        resetOutbox,
        recipientOf: recipientsFrom(store),
        db,
        trendingSnapshots,
        trendingCron: settings.trendingCron ?? defaultTrendingCron,
        trendingSourcesPosition: () =>
          Promise.resolve(snapshotSources.map((name) => positions.current(name)).reduce((a, b) => (a < b ? a : b))),
        similarityRefreshIntervalMs: settings.similarityRefreshIntervalMs ?? similarityRefreshIntervalMs,
        afterSimilarityRefresh: async (outcome) => {
          const told = await pushAfterSimilarity({ pool, topTen, emitToUser: userFeed.emit }, outcome.sourcePosition);
          log.info(told, 'recommendations.updated pushed after the similarity recomputation');
        },
      }),
      log,
      metrics: createJobMetrics(registry),
      retryDelayMs: settings.jobs?.retryDelayMs ?? 30_000,
      retries: settings.jobs?.retries ?? 6,
    });
    closers.push(jobs.stop);
    const reactors = await startReactorRole(settings, pool, log, registry, { enqueue: jobs.enqueue, userFeed, topTen });
    closers.push(reactors.stop);
    log.info('scheduler started');
    return {
      stop: async () => {
        await closeAll();
        log.info('scheduler stopped');
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
