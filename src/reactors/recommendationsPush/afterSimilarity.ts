import type pg from 'pg';
import type { Position } from '../../infrastructure/eventStore/eventStore.ts';
import { inTransaction } from '../../infrastructure/postgres/transaction.ts';
import type { UserFeed } from '../liveFeed/userFeed.ts';
import { recordIfChanged, type TopTen } from './topTen.ts';

export interface SimilarityPushDependencies {
  readonly pool: pg.Pool;
  readonly topTen: TopTen;
  readonly emitToUser: UserFeed['emit'];
}

const page = 200;

/**
 * After the similarity tables were recomputed from the co-watch read model at `sourcePosition`: each
 * user whose top ten the reactor has recorded (everyone who rated or watched since it was deployed)
 * gets `recommendations.updated` if the new neighbours changed it. One user at a time, so that a
 * large user base costs time, not a burst; run by the one process that did the computation.
 */
export const pushAfterSimilarity = async (
  dependencies: SimilarityPushDependencies,
  sourcePosition: Position,
): Promise<{ readonly users: number; readonly pushed: number }> => {
  let users = 0;
  let pushed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await dependencies.pool.query<{ user_id: string }>(
      'SELECT user_id FROM reactor_top_ten WHERE user_id > $1 ORDER BY user_id LIMIT $2',
      [after, page],
    );
    for (const { user_id: userId } of rows) {
      const movieIds = await dependencies.topTen(userId);
      const changed = await inTransaction(dependencies.pool, (tx) => recordIfChanged(tx, userId, movieIds, sourcePosition));
      if (changed) {
        dependencies.emitToUser(userId, 'recommendations.updated', { position: sourcePosition.toString(), movieIds: [...movieIds] });
        pushed++;
      }
      users++;
    }
    if (rows.length < page) return { users, pushed };
    after = rows[rows.length - 1]!.user_id;
  }
};
