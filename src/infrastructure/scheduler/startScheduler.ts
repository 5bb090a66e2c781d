import type { Registry } from 'prom-client';
import { startSimilarityRefresh } from '../../projections/cowatch/refresher.ts';
import { openUserFeed } from '../../reactors/liveFeed/userFeed.ts';
import { pushAfterSimilarity } from '../../reactors/recommendationsPush/afterSimilarity.ts';
import { startReactorRole } from '../../reactors/runtime/reactorRole.ts';
import type { Logger } from '../logging/logger.ts';
import { createPool } from '../postgres/pool.ts';
import { createQueryPool } from '../postgres/slonik.ts';
import type { RoleSettings, RunningRole } from '../threads/roles.ts';
import { topTenOf } from './topTen.ts';

/** A top-ten computation is a few read-model queries; this bounds one that went wrong. */
const topTenStatementTimeoutMs = 30_000;

/**
 * The `scheduler` process of DESIGN.md: work done on a timer rather than per event, and the reactors.
 * The similarity tables behind "also watched" and recommendations are recomputed from the co-watch
 * read model when it changed (refresher.ts; one computation at a time across every process, an
 * advisory lock), after which the users whose top ten changed are told (recommendationsPush).
 */
export const startScheduler = async (settings: RoleSettings, log: Logger, registry: Registry): Promise<RunningRole> => {
  const databaseUrl = new URL(settings.databaseUrl);
  const pool = createPool(databaseUrl, 4, 'scheduler');
  const stops: (() => Promise<void>)[] = [() => pool.end()];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const db = await createQueryPool(databaseUrl, 2, topTenStatementTimeoutMs);
    stops.push(() => db.end());
    const userFeed = openUserFeed({
      redisUrl: settings.redisUrl === undefined ? undefined : new URL(settings.redisUrl),
      apiChannel: settings.userFeedChannel,
      log,
    });
    stops.push(userFeed.close);
    const topTen = topTenOf(db);
    const reactors = await startReactorRole(settings, pool, log, registry, { userFeed, topTen });
    stops.push(reactors.stop);
    const similarityRefresh = await startSimilarityRefresh(pool, log, settings.similarityRefreshIntervalMs, async (outcome) => {
      const told = await pushAfterSimilarity({ pool, topTen, emitToUser: userFeed.emit }, outcome.sourcePosition);
      log.info(told, 'recommendations.updated pushed after the similarity recomputation');
    });
    stops.push(similarityRefresh.stop);
    log.info('scheduler started');
    return {
      stop: async () => {
        await stop();
        log.info('scheduler stopped');
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
