import type { UserFeed } from '../liveFeed/userFeed.ts';
import type { ProjectionReached } from '../runtime/projectionReached.ts';
import type { Reactor } from '../runtime/index.ts';
import { recordIfChanged, type TopTen } from './topTen.ts';

export interface RecommendationsPushDependencies {
  /** The co-watch read model (the user's history, as the recommendations read it) has the event. */
  readonly cowatchReached: ProjectionReached;
  readonly topTen: TopTen;
  readonly emitToUser: UserFeed['emit'];
}

/**
 * `recommendations.updated`, to the user's room only, when their own rating, retraction or watch
 * changes their top ten (the similarity job's recomputation pushes through afterSimilarity.ts).
 * The new list is recorded with the effect's record, keyed on the event, so a redelivery pushes
 * nothing twice; a list that did not change pushes nothing.
 */
export const recommendationsPush = (dependencies: RecommendationsPushDependencies): Reactor => ({
  name: 'recommendations-push',
  eventTypes: ['MovieRated', 'RatingRetracted', 'MovieWatched'],
  handle: async (event, { once }) => {
    const userId = event.data.userId;
    if (typeof userId !== 'string') throw new Error(`${event.type} at ${event.position} names no user`);
    if (!(await dependencies.cowatchReached(event.position))) {
      // Thrown, so the runtime retries with backoff, then parks it where `reactors status` shows it.
      throw new Error(`the cowatch read model has not reached position ${event.position} yet`);
    }
    const movieIds = await dependencies.topTen(userId);
    await once('', async (tx) => {
      if (await recordIfChanged(tx, userId, movieIds, event.position)) {
        dependencies.emitToUser(userId, 'recommendations.updated', { position: event.position.toString(), movieIds: [...movieIds] });
      }
    });
  },
});
