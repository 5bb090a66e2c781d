import type { Registry } from 'prom-client';
import { startSimilarityRefresh } from '../../projections/cowatch/refresher.ts';
import { startReactorRole } from '../../reactors/runtime/reactorRole.ts';
import type { Logger } from '../logging/logger.ts';
import { createPool } from '../postgres/pool.ts';
import type { RoleSettings, RunningRole } from '../threads/roles.ts';

/**
 * The `scheduler` process of DESIGN.md: work done on a timer rather than per event. For now the
 * similarity tables behind "also watched" and recommendations, recomputed from the co-watch read model
 * when it changed (refresher.ts); one computation at a time across every process (an advisory lock).
 */
export const startScheduler = async (settings: RoleSettings, log: Logger, registry: Registry): Promise<RunningRole> => {
  const pool = createPool(new URL(settings.databaseUrl), 4, 'scheduler');
  try {
    const similarityRefresh = await startSimilarityRefresh(pool, log);
    const reactors = await startReactorRole(settings, pool, log, registry);
    log.info('scheduler started');
    return {
      stop: async () => {
        await reactors.stop();
        await similarityRefresh.stop();
        await pool.end();
        log.info('scheduler stopped');
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
};
